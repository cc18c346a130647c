// One HTTP call to one upstream: sends the body, reads a JSON answer or (sse-reader.ts) an SSE
// stream, and turns every outcome into an UpstreamResult. It never retries. Silence longer than
// request.idleTimeoutMs (measured on the injected clock) aborts the call as an idle cut-off.
import { Readable } from 'node:stream';
import { request as undiciRequest, type Dispatcher } from 'undici';
import type { Clock, Timer } from '../time/clock.js';
import type { UpstreamIds } from './failure.js';
import { isRecord, type ImagesResponse } from '../wire/openai-images.js';
import type { RateLimitInfo, UpstreamFailure, UpstreamHandlers, UpstreamRequest, UpstreamResult } from './adapter.js';
import { failureFromStatus } from './classify.js';
import { parseRetryAfterMs, readIds, readRateLimit } from './response-headers.js';
import { parseJson, readStream } from './sse-reader.js';
import { buildMultipartBody } from './multipart-body.js';

export interface UpstreamTarget {
  url: string;
  headers: Record<string, string>;
}

export interface SendDeps {
  clock: Clock;
  dispatcher: Dispatcher;
}

const MAX_ERROR_BODY_BYTES = 1 << 20;

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

function isImagesResponse(value: unknown): value is ImagesResponse {
  return isRecord(value) && Array.isArray(value.data);
}

