// Builds the error a client finally sees: the upstream's own body where it must pass through
// (content policy, bad request), otherwise the OpenAI shape with holdfast's attempt count.
import type { AcquireResult } from '../routing/router.js';
import type { UpstreamFailure } from '../upstream/adapter.js';
import type { JobError } from './job.js';

// Refusals of the request itself reach the client as the upstream sent them (design.md).
const PASS_THROUGH = new Set(['bad_request', 'content_policy']);

export function jobErrorFromFailure(failure: UpstreamFailure): JobError {
  if (PASS_THROUGH.has(failure.kind) && failure.body && failure.status) {
    return { status: failure.status, kind: failure.kind, body: failure.body };
  }
  if (failure.kind === 'auth' || failure.kind === 'not_found') {
    // The upstream refused holdfast's own key or deployment: the client's request and key are fine,
    // so a 401/404 would mislead it (and its SDK). It is holdfast's configuration that needs fixing.
    const what = failure.kind === 'auth' ? "refused holdfast's upstream key" : 'does not know the configured deployment';
    const message = `The upstream ${what} (HTTP ${failure.status ?? '?'}): ${failure.message}`;
    return { status: 502, kind: failure.kind, body: { error: { message, type: 'server_error', param: null, code: 'upstream_failed' } } };
  }
  const status = failure.kind === 'rate_limited' ? 429 : failure.kind === 'idle_timeout' ? 504 : 502;
  const upstreamError = (failure.body?.error ?? undefined) as Record<string, unknown> | undefined;
  const code = typeof upstreamError?.code === 'string' ? upstreamError.code : failure.kind === 'rate_limited' ? 'rate_limit_exceeded' : 'server_error';
  return {
    status,
    kind: failure.kind,
    body: { error: { message: failure.message, type: status === 429 ? 'rate_limit_error' : 'server_error', param: null, code } },
  };
}

export function jobErrorFromRouting(result: Extract<AcquireResult, { ok: false }>): JobError {
  const status = result.reason === 'queue_full' ? 429 : result.reason === 'deadline' ? 504 : 503;
  const code = result.reason === 'queue_full' ? 'queue_full' : result.reason === 'deadline' ? 'deadline_exceeded' : 'no_deployment_available';
  return {
    status,
    kind: 'no_capacity',
    retryAfterMs: result.retryAfterMs,
    body: { error: { message: result.message, type: status === 429 ? 'rate_limit_error' : 'server_error', param: null, code } },
  };
}

/** Appends holdfast's attempt count to the message, and records it on the body. */
export function withAttemptCount(error: JobError, attempts: number, reason: string): JobError {
  const inner = error.body.error as Record<string, unknown> | undefined;
  if (!inner || typeof inner.message !== 'string' || PASS_THROUGH.has(error.kind)) {
    return { ...error, attempts };
  }
  const why = reason === 'deadline' ? 'at its deadline after' : 'after';
  const message = `${inner.message} (holdfast gave up ${why} ${attempts} attempt${attempts === 1 ? '' : 's'})`;
  return { ...error, attempts, body: { ...error.body, error: { ...inner, message } } };
}
