// Adapter for Azure OpenAI's classic form:
// `{base_url}/openai/deployments/{deployment}/images/{endpoint}?api-version=…` with `api-key` (wire-format §7).
import type { Dispatcher } from 'undici';
import type { Clock } from '../time/clock.js';
import type { UpstreamAdapter } from './adapter.js';
import { sendToUpstream } from './send.js';
import type { UpstreamBounds } from './bounded-body.js';

export interface AzureAdapterOptions {
  deploymentId: string;
  baseUrl: string;
  deployment: string;
  apiVersion: string;
  apiKey: { reveal(): string };
  headers?: Record<string, string>;
  bounds?: UpstreamBounds;
}

export function createAzureOpenAIAdapter(deps: { clock: Clock; dispatcher: Dispatcher }, options: AzureAdapterOptions): UpstreamAdapter {
  const root = options.baseUrl.replace(/\/+$/, '');
  const path = `${root}/openai/deployments/${encodeURIComponent(options.deployment)}/images`;
  const query = `api-version=${encodeURIComponent(options.apiVersion)}`;
  return {
    deploymentId: options.deploymentId,
    send: (request, handlers, signal) => sendToUpstream(deps, {
      url: `${path}/${request.endpoint}?${query}`,
      headers: { ...options.headers, ...request.headers, 'api-key': options.apiKey.reveal(), accept: 'application/json, text/event-stream' },
      secrets: [options.apiKey.reveal(), ...Object.values(options.headers ?? {})], bounds: options.bounds,
    }, request, handlers, signal),
  };
}
