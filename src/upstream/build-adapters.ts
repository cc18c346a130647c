// One adapter per configured deployment, by provider.
import type { Dispatcher } from 'undici';
import type { Clock } from '../time/clock.js';
import type { HoldfastConfig } from '../config/schema.js';
import type { UpstreamAdapter } from './adapter.js';
import { createAzureOpenAIAdapter } from './azure-openai.js';
import { createOpenAIAdapter } from './openai.js';

export function buildAdapters(deps: { clock: Clock; dispatcher: Dispatcher }, config: HoldfastConfig): Map<string, UpstreamAdapter> {
  const adapters = new Map<string, UpstreamAdapter>();
  for (const [id, d] of Object.entries(config.deployments)) {
    const headers = Object.fromEntries(Object.entries(d.headers).map(([name, value]) => [name, value.reveal()]));
    adapters.set(id, d.provider === 'azure'
      ? createAzureOpenAIAdapter(deps, { deploymentId: id, baseUrl: d.base_url, deployment: d.deployment ?? id, apiVersion: d.api_version ?? '2025-04-01-preview', apiKey: d.api_key, headers })
      : createOpenAIAdapter(deps, { deploymentId: id, baseUrl: d.base_url, apiKey: d.api_key, headers }));
  }
  return adapters;
}
