// One HTTP call to one upstream: sends the body, reads a JSON answer or an SSE stream, and turns
// every outcome into an UpstreamResult. It never retries. Silence longer than request.idleTimeoutMs
// (measured on the injected clock) aborts the call as an idle cut-off.
import { Readable } from 'node:stream';
import { request as undiciRequest, type Dispatcher } from 'undici';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { Clock, Timer } from '../time/clock.js';
import type { UpstreamIds } from './failure.js';
import { isRecord, type ImagesResponse } from '../wire/openai-images.js';
import type { RateLimitInfo, UpstreamFailure, UpstreamHandlers, UpstreamRequest, UpstreamResult } from './adapter.js';
import { failureFromStatus, failureFromStreamError, parseRetryAfterMs } from './classify.js';
import { buildMultipartBody } from './multipart-body.js';

export interface UpstreamTarget {
  url: string;
  headers: Record<string, string>;
}

export interface SendDeps {
  clock: Clock;
  dispatcher: Dispatcher;
}

type Headers = Record<string, string | string[] | undefined>;
const ID_HEADERS = ['x-request-id', 'apim-request-id', 'x-ms-region', 'request-id'];
const MAX_ERROR_BODY_BYTES = 1 << 20;

class IdleCutOff extends Error {}

function readIds(headers: Headers): UpstreamIds {
  const ids: UpstreamIds = {};
  for (const name of ID_HEADERS) {
    const v = headers[name];
    if (typeof v === 'string') ids[name] = v;
  }
  return ids;
}

function readRateLimit(headers: Headers): RateLimitInfo | undefined {
  const num = (name: string): number | undefined => {
    const v = Number(headers[name]);
    return headers[name] !== undefined && Number.isFinite(v) ? v : undefined;
  };
  const reset = headers['x-ratelimit-reset-requests'];
  const info: RateLimitInfo = {
    limitRequests: num('x-ratelimit-limit-requests'),
    remainingRequests: num('x-ratelimit-remaining-requests'),
    resetRequestsMs: typeof reset === 'string' ? parseGoDurationMs(reset) : undefined,
  };
  return Object.values(info).some((v) => v !== undefined) ? info : undefined;
}

/** `6m0s`, `1s`, `12ms`, `1.5s` → milliseconds (OpenAI's x-ratelimit-reset-* format). */
export function parseGoDurationMs(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let matched = '';
  for (const m of text.matchAll(re)) {
    total += Number(m[1]) * ({ h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as const)[m[2] as 'h' | 'm' | 's' | 'ms'];
    matched += m[0];
  }
  if (matched === text && text.length > 0) return total;
  const seconds = Number(text);
  return Number.isFinite(seconds) ? seconds * 1000 : undefined;
}

function buildBody(request: UpstreamRequest): { body: string | Readable; headers: Record<string, string> } {
  if (request.endpoint === 'edits' && request.files.length > 0) {
    const mp = buildMultipartBody(request.fields, request.files);
    return { body: Readable.from(mp.body), headers: { 'content-type': mp.contentType, 'content-length': String(mp.contentLength) } };
  }
  return { body: JSON.stringify(request.fields), headers: { 'content-type': 'application/json' } };
}

export async function sendToUpstream(
  deps: SendDeps, target: UpstreamTarget, request: UpstreamRequest, handlers: UpstreamHandlers, signal: AbortSignal,
): Promise<UpstreamResult> {
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(signal.reason);
  signal.addEventListener('abort', onOuterAbort, { once: true });
  let watchdog: Timer | undefined;
  const touch = (): void => {
    watchdog?.cancel();
    if (request.idleTimeoutMs) watchdog = deps.clock.setTimer(request.idleTimeoutMs, () => controller.abort(new IdleCutOff('idle')));
  };
  let ids: UpstreamIds = {};
  let rateLimit: RateLimitInfo | undefined;
  let partials = 0;
  const fail = (failure: UpstreamFailure): UpstreamResult => ({ ok: false, failure, upstreamIds: ids, rateLimit });
  try {
    touch();
    const { body, headers } = buildBody(request);
    const res = await undiciRequest(target.url, {
      method: 'POST', headers: { ...target.headers, ...headers }, body, dispatcher: deps.dispatcher, signal: controller.signal,
    });
    touch();
    ids = readIds(res.headers);
    rateLimit = readRateLimit(res.headers);
    handlers.onResponse?.(res.statusCode, ids);
    if (res.statusCode !== 200) {
      const text = await readCapped(res.body, MAX_ERROR_BODY_BYTES, touch);
      return fail(failureFromStatus(res.statusCode, parseJson(text), parseRetryAfterMs(res.headers, deps.clock.now())));
    }
    const contentType = String(res.headers['content-type'] ?? '');
    if (contentType.includes('text/event-stream')) {
      const n = Number(request.fields.n ?? 1);
      return await readStream(res.body, {
        touch, handlers, fail, ids, rateLimit, setPartials: (count) => { partials = count; },
        expectedImages: Number.isInteger(n) && n > 0 ? n : 1,
      });
    }
    const text = await readCapped(res.body, Number.POSITIVE_INFINITY, touch);
    const json = parseJson(text);
    if (!isImagesResponse(json)) return fail({ kind: 'server_error', status: 200, message: 'The upstream answered 200 with a body that is not an images response.', partialsReceived: 0 });
    return { ok: true, response: json, upstreamIds: ids, rateLimit };
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    const reason: unknown = controller.signal.reason;
    if (reason instanceof IdleCutOff) {
      return fail({ kind: 'idle_timeout', message: `No bytes from the upstream for ${request.idleTimeoutMs} ms; holdfast cut the call.`, partialsReceived: partials });
    }
    const message = error instanceof Error ? error.message : String(error);
    const kind = partials > 0 || Object.keys(ids).length > 0 ? 'stream_error' : 'connect';
    return fail({ kind, message: kind === 'connect' ? `Could not reach the upstream: ${message}` : `The upstream connection was cut mid-stream: ${message}`, partialsReceived: partials, connectionLost: true });
  } finally {
    watchdog?.cancel();
    signal.removeEventListener('abort', onOuterAbort);
  }
}

async function readCapped(body: AsyncIterable<Buffer>, maxBytes: number, touch: () => void): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    touch();
    if (size < maxBytes) chunks.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isImagesResponse(value: unknown): value is ImagesResponse {
  return isRecord(value) && Array.isArray(value.data);
}

interface StreamReading {
  touch(): void;
  handlers: UpstreamHandlers;
  setPartials(n: number): void;
  fail(failure: UpstreamFailure): UpstreamResult;
  ids: UpstreamIds;
  rateLimit: RateLimitInfo | undefined;
  /** Completed events to wait for: one per image (`n`). */
  expectedImages: number;
}

async function readStream(body: AsyncIterable<Buffer>, reading: StreamReading): Promise<UpstreamResult> {
  let partials = 0;
  const completed: Array<Record<string, unknown>> = [];
  let failure: UpstreamFailure | undefined;
  const done = (): boolean => failure !== undefined || completed.length >= reading.expectedImages;
  const onEvent = (event: EventSourceMessage): void => {
    if (done()) return;
    const data = parseJson(event.data);
    if (event.event === 'error' || (isRecord(data) && data.error)) {
      failure = failureFromStreamError(data, partials);
    } else if (isRecord(data) && String(event.event ?? data.type).endsWith('.partial_image')) {
      partials += 1;
      reading.setPartials(partials);
      reading.handlers.onPartial?.(data);
    } else if (isRecord(data) && String(event.event ?? data.type).endsWith('.completed')) {
      completed.push(data);
    }
  };
  const parser = createParser({ onEvent });
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    reading.touch();
    parser.feed(decoder.decode(chunk, { stream: true }));
    if (done()) break;
  }
  if (failure) return reading.fail(failure);
  if (completed.length === 0) {
    return reading.fail({ kind: 'stream_error', message: 'The upstream stream ended before the completed event.', partialsReceived: partials });
  }
  return { ok: true, response: responseFromCompleted(completed), completedEvent: completed[0], upstreamIds: reading.ids, rateLimit: reading.rateLimit };
}

/** The non-streaming answer equivalent to a stream's completed event (wire-format §3, §4.2). */
export function responseFromCompleted(events: Array<Record<string, unknown>>): ImagesResponse {
  const event = events[0];
  const pick = (key: string): string | undefined => (typeof event[key] === 'string' ? (event[key] as string) : undefined);
  const response: ImagesResponse = {
    created: typeof event.created_at === 'number' ? event.created_at : 0,
    data: events.map((e) => ({ b64_json: typeof e.b64_json === 'string' ? e.b64_json : undefined })),
    background: pick('background'),
    output_format: pick('output_format'),
    quality: pick('quality'),
    size: pick('size'),
  };
  if (isRecord(event.usage)) response.usage = event.usage as unknown as ImagesResponse['usage'];
  return response;
}
