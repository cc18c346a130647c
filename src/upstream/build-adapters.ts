// One adapter per configured deployment, by provider.
import type { Dispatcher } from 'undici';
import type { Clock } from '../time/clock.js';
import type { HoldfastConfig } from '../config/schema.js';
import type { UpstreamAdapter } from './adapter.js';
import { createAzureOpenAIAdapter } from './azure-openai.js';
import { createOpenAIAdapter } from './openai.js';
import type { UpstreamBounds } from './bounded-body.js';

export function buildAdapters(deps: { clock: Clock; dispatcher: Dispatcher }, config: HoldfastConfig): Map<string, UpstreamAdapter> {
  const adapters = new Map<string, UpstreamAdapter>();
  const u = config.upstream;
  const bounds: UpstreamBounds = {
    maxImageBytes: u.max_image_bytes, maxErrorBodyBytes: u.max_error_body_bytes, errorBodyTimeoutMs: u.error_body_timeout_ms,
    maxPartialEvents: u.max_partial_events, maxIdleBytes: u.max_idle_bytes, maxRetryAfterMs: u.max_retry_after_ms,
  };
  for (const [id, d] of Object.entries(config.deployments)) {
    const headers = Object.fromEntries(Object.entries(d.headers).map(([name, value]) => [name, value.reveal()]));
    adapters.set(id, d.provider === 'azure'
      ? createAzureOpenAIAdapter(deps, { deploymentId: id, baseUrl: d.base_url, deployment: d.deployment ?? id, apiVersion: d.api_version ?? '2025-04-01-preview', apiKey: d.api_key, headers, bounds })
      : createOpenAIAdapter(deps, { deploymentId: id, baseUrl: d.base_url, apiKey: d.api_key, headers, bounds }));
  }
  return adapters;
}
