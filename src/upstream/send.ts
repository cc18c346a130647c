// One HTTP call to one upstream: sends the body, reads a JSON answer or (sse-reader.ts) an SSE
// stream, and turns every outcome into an UpstreamResult. It never retries. Silence longer than
// request.idleTimeoutMs (measured on the injected clock) aborts the call as an idle cut-off. Every
// answer is bounded (bounded-body.ts) and checked (check-images.ts) before it becomes a result.
import { Readable } from 'node:stream';
import { request as undiciRequest, type Dispatcher } from 'undici';
import { errorBody } from '../errors.js';
import type { Clock, Timer } from '../time/clock.js';
import type { UpstreamIds } from './failure.js';
import { isRecord, type ImagesResponse } from '../wire/openai-images.js';
import type { RateLimitInfo, UpstreamFailure, UpstreamHandlers, UpstreamRequest, UpstreamResult } from './adapter.js';
import { failureFromStatus } from './classify.js';
import { parseRetryAfterMs, readIds, readRateLimit } from './response-headers.js';
import { readStream } from './sse-reader.js';
import { parseJson, parseJsonLifting } from './lift-json.js';
import { buildMultipartBody } from './multipart-body.js';
import { clampRetryMs, DEFAULT_UPSTREAM_BOUNDS, maxResponseBytes, readBounded, readBoundedBytes } from './bounded-body.js';
import type { UpstreamBounds } from './bounded-body.js';
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


class IdleCutOff extends Error {}

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
    const checked = (result: UpstreamResult): UpstreamResult => {
      if (!result.ok) return result;
      const verdict = checkImagesResponse(result.response, expect);
      return verdict.ok ? { ...result, response: verdict.response } : invalid(verdict.reason);
    };
    const contentType = String(res.headers['content-type'] ?? '');
    if (contentType.includes('text/event-stream')) {
      return checked(await readStream(res.body, {
        touch, handlers, fail, ids, rateLimit, setPartials: (count) => { partials = count; },
        expectedImages: expect.n, bounds,
      }));
    }
    const length = Number(res.headers['content-length']);
    const read = await readBoundedBytes(res.body, { maxBytes: maxResponseBytes(bounds, expect.n), touch, overflow: 'fail', sizeHint: Number.isSafeInteger(length) ? length : undefined });
    if (!read.ok) return invalid(read.reason);
    const json = parseJsonLifting(read.bytes);
    if (!isImagesResponse(json)) return invalid('HTTP 200 with a body that is not an images response');
    return checked({ ok: true, response: json, upstreamIds: ids, rateLimit });
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

function isImagesResponse(value: unknown): value is ImagesResponse {
  return isRecord(value) && Array.isArray(value.data);
}
