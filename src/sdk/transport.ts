// One HTTP exchange with the gateway through undici: base URL, client key, dispatcher and the real-time
// limits of a call. Non-2xx answers become HoldfastApiError; socket failures HoldfastConnectionError.
import { request, type Dispatcher } from 'undici';
import { HoldfastConnectionError, toApiError } from './errors.js';

export interface Transport {
  readonly baseUrl: string;
  readonly apiKey?: string;
  readonly dispatcher?: Dispatcher;
}

export interface SendOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  headers?: Record<string, string>;
  json?: unknown;
  signal?: AbortSignal;
  /** Real-time limit on silence while reading the body (undici `bodyTimeout`); 0 = none. */
  idleTimeoutMs?: number;
}

export function urlOf(transport: Transport, path: string): string {
  return `${transport.baseUrl.replace(/\/+$/, '')}${path}`;
}

function headersOf(transport: Transport, options: SendOptions): Record<string, string> {
  const headers: Record<string, string> = { ...options.headers };
  if (transport.apiKey) headers.authorization = `Bearer ${transport.apiKey}`;
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  return headers;
}

/** Sends one request; resolves with the 2xx response (body unread), rejects with a typed error otherwise. */
export async function send(transport: Transport, path: string, options: SendOptions = {}): Promise<Dispatcher.ResponseData> {
  let res: Dispatcher.ResponseData;
  try {
    res = await request(urlOf(transport, path), {
      method: options.method ?? 'GET',
      headers: headersOf(transport, options),
      body: options.json === undefined ? undefined : JSON.stringify(options.json),
      signal: options.signal,
      dispatcher: transport.dispatcher,
      // A generation can be silent for minutes behind holdfast only if heartbeats are off; the
      // caller picks the limit. undici's 300 s defaults would cut a long JSON wait.
      headersTimeout: options.idleTimeoutMs ?? 0,
      bodyTimeout: options.idleTimeoutMs ?? 0,
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new HoldfastConnectionError(`cannot reach ${transport.baseUrl}: ${describe(error)}`, { cause: error });
  }
  if (res.statusCode >= 200 && res.statusCode < 300) return res;
  const text = await res.body.text().catch(() => '');
  const requestId = res.headers['x-request-id'];
  throw toApiError(res.statusCode, text, typeof requestId === 'string' ? requestId : undefined);
}

export function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${typeof code === 'string' ? `${code}: ` : ''}${error.message}${cause}`;
}

export function headerText(res: Dispatcher.ResponseData, name: string): string | undefined {
  const v = res.headers[name];
  return typeof v === 'string' ? v : Array.isArray(v) ? v[0] : undefined;
}
