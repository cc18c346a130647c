// Turns an upstream's answer (status + body, SSE error event, socket error) into a failure kind,
// the one vocabulary retry-policy.ts reads (design.md, "Error classification").
import { errorBody } from '../errors.js';
import type { UpstreamFailureKind } from './failure.js';
import { isRecord, openAIError } from '../wire/openai-images.js';
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

export function kindOfStatus(status: number, body: unknown): UpstreamFailureKind {
  if (status === 408) return 'idle_timeout';
  // A redirect or another 2xx is no answer from an image API: retry elsewhere, never relay it.
  if (status < 400) return 'server_error';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server_error';
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (isContentPolicy(body)) return 'content_policy';
  return 'bad_request';
}

export function failureFromStatus(status: number, body: unknown, retryAfterMs: number | undefined): UpstreamFailure {
  if (status < 400) {
    const message = `The upstream answered HTTP ${status}, which is not an images response (redirects are not followed).`;
    return { kind: 'server_error', status, message, body: { ...errorBody('upstream_invalid_response', [message]) }, partialsReceived: 0 };
  }
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
  const body = { ...openAIError(message, { type: type ?? 'server_error', code: code ?? type ?? 'server_error' }) };
  if (isContentPolicy(body) || (type !== undefined && CONTENT_POLICY_CODES.has(type))) {
    return { kind: 'content_policy', status: 400, message, body, partialsReceived };
  }
  const named = [type, code].filter((k): k is string => k !== undefined);
  const retryable = named.length === 0 || named.some((k) => TRANSIENT_STREAM_KINDS.has(k));
  return { kind: retryable ? 'stream_error' : 'bad_request', status: retryable ? undefined : 400, message, body, partialsReceived };
}
