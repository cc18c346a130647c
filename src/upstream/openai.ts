// Adapter for the OpenAI form: `{base_url}/images/{endpoint}` with `Authorization: Bearer`.
import type { Dispatcher } from 'undici';
import type { Clock } from '../time/clock.js';
import type { UpstreamAdapter } from './adapter.js';
import { sendToUpstream } from './send.js';

export interface OpenAIAdapterOptions {
  deploymentId: string;
  /** The API root including /v1, as the OpenAI SDK's baseURL. */
  baseUrl: string;
  apiKey: { reveal(): string };
  headers?: Record<string, string>;
}

export function createOpenAIAdapter(deps: { clock: Clock; dispatcher: Dispatcher }, options: OpenAIAdapterOptions): UpstreamAdapter {
  const root = options.baseUrl.replace(/\/+$/, '');
  return {
    deploymentId: options.deploymentId,
    send: (request, handlers, signal) => sendToUpstream(deps, {
      url: `${root}/images/${request.endpoint}`,
      headers: { ...options.headers, ...request.headers, authorization: `Bearer ${options.apiKey.reveal()}`, accept: 'application/json, text/event-stream' },
    }, request, handlers, signal),
  };
}
