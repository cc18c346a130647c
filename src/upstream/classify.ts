// Turns an upstream's answer (status + body, SSE error event, socket error) into a failure kind,
// the one vocabulary retry-policy.ts reads (design.md, "Error classification").
import type { FailureKind } from '../engine/job.js';
import { isRecord } from '../wire/openai-images.js';
import type { UpstreamFailure } from './adapter.js';

const CONTENT_POLICY_CODES = new Set(['content_policy_violation', 'moderation_blocked', 'contentFilter', 'content_filter', 'ResponsibleAIPolicyViolation']);

function errorObject(body: unknown): Record<string, unknown> | undefined {
  return isRecord(body) && isRecord(body.error) ? body.error : undefined;
}

export function isContentPolicy(body: unknown): boolean {
  const error = errorObject(body);
  if (!error) return false;
  const inner = isRecord(error.inner_error) ? error.inner_error : isRecord(error.innererror) ? error.innererror : undefined;
  return CONTENT_POLICY_CODES.has(String(error.code)) || (inner !== undefined && CONTENT_POLICY_CODES.has(String(inner.code)));
}

export function kindOfStatus(status: number, body: unknown): FailureKind {
  if (status === 408) return 'idle_timeout';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server_error';
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (isContentPolicy(body)) return 'content_policy';
  return 'bad_request';
}

/** retry-after-ms (ms), else retry-after (seconds or an HTTP date); undefined when absent or bad. */
export function parseRetryAfterMs(headers: Record<string, string | string[] | undefined>, nowMs: number): number | undefined {
  const first = (name: string): string | undefined => {
    const v = headers[name];
    const text = (Array.isArray(v) ? v[0] : v)?.trim();
    return text === '' ? undefined : text;
  };
  const ms = Number(first('retry-after-ms'));
  if (first('retry-after-ms') !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  const after = first('retry-after');
  if (after === undefined) return undefined;
  if (/^[-+.\d]+$/.test(after)) {
    const seconds = Number(after);
    return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
  }
  const date = Date.parse(after);
  return Number.isFinite(date) ? Math.max(0, date - nowMs) : undefined;
}

export function failureFromStatus(status: number, body: unknown, retryAfterMs: number | undefined): UpstreamFailure {
  const error = errorObject(body);
  const message = typeof error?.message === 'string' ? error.message : `Upstream answered HTTP ${status}.`;
  return {
    kind: kindOfStatus(status, body),
    status,
    message,
    body: isRecord(body) ? body : undefined,
    retryAfterMs,
    partialsReceived: 0,
  };
}

/** In-band kinds that mean "the upstream failed, try again" (design.md retry table). */
const TRANSIENT_STREAM_KINDS: ReadonlySet<string> = new Set(['server_error', 'image_generation_server_error']);

/**
 * An in-band SSE `error` event (wire-format §4.4). The kind may be in `error.type` or in
 * `error.code` (the edits frame has type `image_generation_server_error`, code
 * `image_generation_failed`), so both are read. A frame naming no kind at all is an upstream
 * failure too: nothing in it says the request was wrong.
 */
export function failureFromStreamError(data: unknown, partialsReceived: number): UpstreamFailure {
  const error = errorObject(data) ?? (isRecord(data) ? data : {});
  const type = typeof error.type === 'string' && error.type !== 'error' ? error.type : undefined;
  const code = typeof error.code === 'string' ? error.code : undefined;
  const message = typeof error.message === 'string' ? error.message : 'The upstream stream reported an error.';
  const body = { error: { message, type: type ?? 'server_error', param: null, code: code ?? type ?? 'server_error' } };
  if (isContentPolicy(body) || (type !== undefined && CONTENT_POLICY_CODES.has(type))) {
    return { kind: 'content_policy', status: 400, message, body, partialsReceived };
  }
  const named = [type, code].filter((k): k is string => k !== undefined);
  const retryable = named.length === 0 || named.some((k) => TRANSIENT_STREAM_KINDS.has(k));
  return { kind: retryable ? 'stream_error' : 'bad_request', status: retryable ? undefined : 400, message, body, partialsReceived };
}
