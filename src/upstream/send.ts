// One HTTP call to one upstream: sends the body, reads a JSON answer or an SSE stream, and turns
// every outcome into an UpstreamResult. It never retries. Silence longer than request.idleTimeoutMs
// (measured on the injected clock) aborts the call as an idle cut-off.
import { errorBody } from '../errors.js';
import { Readable } from 'node:stream';
import { request as undiciRequest, type Dispatcher } from 'undici';
import type { EventSourceMessage } from 'eventsource-parser';
import type { Clock, Timer } from '../time/clock.js';
import type { UpstreamIds } from './failure.js';
import { isRecord, type ImagesResponse } from '../wire/openai-images.js';
import type { RateLimitInfo, UpstreamFailure, UpstreamHandlers, UpstreamRequest, UpstreamResult } from './adapter.js';
import { failureFromStatus, failureFromStreamError, parseRetryAfterMs } from './classify.js';
import { buildMultipartBody } from './multipart-body.js';
import { clampRetryMs, createSseReader, DEFAULT_UPSTREAM_BOUNDS, maxEventBytes, maxResponseBytes, readBounded, type UpstreamBounds } from './bounded-body.js';
import { checkImagesResponse, expectationsOf } from './check-images.js';
import { safeErrorBody, safeUpstreamText } from './safe-error-text.js';

export interface UpstreamTarget {
  url: string;
  headers: Record<string, string>;
  /** The deployment's credentials, cut out of any upstream text that reaches a client or a log. */
  secrets?: readonly string[];
  bounds?: UpstreamBounds;
}

export interface SendDeps {
  clock: Clock;
  dispatcher: Dispatcher;
}

type Headers = Record<string, string | string[] | undefined>;
const ID_HEADERS = ['x-request-id', 'apim-request-id', 'x-ms-region', 'request-id'];

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
  const bounds = target.bounds ?? DEFAULT_UPSTREAM_BOUNDS;
  const secrets = target.secrets ?? [];
  const fail = (failure: UpstreamFailure): UpstreamResult => ({
    ok: false, upstreamIds: ids, rateLimit,
    failure: { ...failure, message: safeUpstreamText(failure.message, secrets), body: safeErrorBody(failure.body, secrets), retryAfterMs: clampRetryMs(failure.retryAfterMs, bounds) },
  });
  const invalid = (reason: string): UpstreamResult => fail({ kind: 'server_error', status: 502, message: `The upstream's answer is not a result: ${reason}.`, body: { ...errorBody('upstream_invalid_response', [`The upstream's answer is not a result: ${reason}.`]) }, partialsReceived: partials });
  try {
    touch();
    const { body, headers } = buildBody(request);
    const res = await undiciRequest(target.url, {
      method: 'POST', headers: { ...target.headers, ...headers }, body, dispatcher: deps.dispatcher, signal: controller.signal,
    });
    touch();
    ids = readIds(res.headers);
    rateLimit = readRateLimit(res.headers);
    if (rateLimit?.resetRequestsMs !== undefined) rateLimit.resetRequestsMs = clampRetryMs(rateLimit.resetRequestsMs, bounds);
    handlers.onResponse?.(res.statusCode, ids);
    if (res.statusCode !== 200) {
      const read = await readBounded(res.body, { maxBytes: bounds.maxErrorBodyBytes, touch, overflow: 'truncate', timeout: { clock: deps.clock, ms: bounds.errorBodyTimeoutMs } });
      return fail(failureFromStatus(res.statusCode, read.ok ? parseJson(read.text) : undefined, parseRetryAfterMs(res.headers, deps.clock.now())));
    }
    const expect = expectationsOf(request.fields, bounds.maxImageBytes);
    const checked = async (result: UpstreamResult): Promise<UpstreamResult> => {
      if (!result.ok) return result;
      const verdict = await checkImagesResponse(result.response, expect);
      return verdict.ok ? { ...result, response: verdict.response } : invalid(verdict.reason);
    };
    const contentType = String(res.headers['content-type'] ?? '');
    if (contentType.includes('text/event-stream')) {
      return await checked(await readStream(res.body, {
        touch, handlers, fail, ids, rateLimit, setPartials: (count) => { partials = count; },
        expectedImages: expect.n, bounds,
      }));
    }
    const read = await readBounded(res.body, { maxBytes: maxResponseBytes(bounds, expect.n), touch, overflow: 'fail' });
    if (!read.ok) return invalid(read.reason);
    const json = parseJson(read.text);
    if (!isImagesResponse(json)) return invalid('HTTP 200 with a body that is not an images response');
    return await checked({ ok: true, response: json, upstreamIds: ids, rateLimit });
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
  bounds: UpstreamBounds;
}

async function readStream(body: AsyncIterable<Buffer>, reading: StreamReading): Promise<UpstreamResult> {
  let partials = 0;
  const completed: Array<Record<string, unknown>> = [];
  let failure: UpstreamFailure | undefined;
  const done = (): boolean => failure !== undefined || completed.length >= reading.expectedImages;
  const { bounds } = reading;
  const onEvent = (event: EventSourceMessage): boolean => {
    if (done()) return true;
    const data = parseJson(event.data);
    if (event.event === 'error' || (isRecord(data) && data.error)) {
      failure = failureFromStreamError(data, partials);
    } else if (isRecord(data) && String(event.event ?? data.type).endsWith('.partial_image')) {
      partials += 1;
      reading.setPartials(partials);
      if (partials > bounds.maxPartialEvents) {
        failure = { kind: 'stream_error', message: `The upstream sent more than ${bounds.maxPartialEvents} partial images in one attempt (upstream.max_partial_events).`, partialsReceived: partials };
      } else reading.handlers.onPartial?.(data);
    } else if (isRecord(data) && String(event.event ?? data.type).endsWith('.completed')) {
      completed.push(data);
    } else return false;
    return true;
  };
  const reader = createSseReader({ maxEventBytes: maxEventBytes(bounds), maxIdleBytes: bounds.maxIdleBytes, onEvent });
  for await (const chunk of body) {
    reading.touch();
    reader.feed(chunk);
    if (reader.failure !== undefined) {
      failure ??= { kind: 'stream_error', message: `The upstream stream was refused: ${reader.failure}.`, partialsReceived: partials };
    }
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
