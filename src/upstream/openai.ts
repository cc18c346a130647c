// Adapter for the OpenAI form: `{base_url}/images/{endpoint}` with `Authorization: Bearer`.
import type { Dispatcher } from 'undici';
import type { Clock } from '../time/clock.js';
import type { UpstreamAdapter } from './adapter.js';
import { sendToUpstream } from './send.js';
import type { UpstreamBounds } from './bounded-body.js';

export interface OpenAIAdapterOptions {
  deploymentId: string;
  /** The API root including /v1, as the OpenAI SDK's baseURL. */
  baseUrl: string;
  apiKey: { reveal(): string };
  headers?: Record<string, string>;
  bounds?: UpstreamBounds;
}

export function createOpenAIAdapter(deps: { clock: Clock; dispatcher: Dispatcher }, options: OpenAIAdapterOptions): UpstreamAdapter {
  const root = options.baseUrl.replace(/\/+$/, '');
  return {
    deploymentId: options.deploymentId,
    send: (request, handlers, signal) => sendToUpstream(deps, {
      url: `${root}/images/${request.endpoint}`,
      headers: { ...options.headers, ...request.headers, authorization: `Bearer ${options.apiKey.reveal()}`, accept: 'application/json, text/event-stream' },
      secrets: [options.apiKey.reveal(), ...Object.values(options.headers ?? {})], bounds: options.bounds,
    }, request, handlers, signal),
  };
}
