// Builds the error a client finally sees: the upstream's own body where it must pass through
// (content policy, bad request), otherwise the OpenAI shape with holdfast's attempt count.
import { errorBody, errorCatalogue, type ErrorCode, type MessageArgs } from '../errors.js';
import type { AcquireResult } from '../routing/router.js';
import type { UpstreamFailure } from '../upstream/adapter.js';
import { openAIError } from '../wire/openai-images.js';
import type { FailureKind, JobError } from './job.js';

// Refusals of the request itself reach the client as the upstream sent them (design.md).
const PASS_THROUGH = new Set(['bad_request', 'content_policy']);

export function jobErrorFromFailure(failure: UpstreamFailure): JobError {
  if (PASS_THROUGH.has(failure.kind) && failure.body && failure.status) {
    return { status: failure.status, kind: failure.kind, body: failure.body };
  }
  if (failure.kind === 'auth' || failure.kind === 'not_found') {
    // The upstream refused holdfast's own key or deployment: the client's request and key are fine,
    // so a 401/404 would mislead it (and its SDK). It is holdfast's configuration that needs fixing.
    return jobErrorOf('upstream_failed', [failure.kind, failure.status, failure.message], failure.kind);
  }
  const status = failure.kind === 'rate_limited' ? 429 : failure.kind === 'idle_timeout' ? 504 : 502;
  const upstreamError = (failure.body?.error ?? undefined) as Record<string, unknown> | undefined;
  const code = typeof upstreamError?.code === 'string' ? upstreamError.code : failure.kind === 'rate_limited' ? 'rate_limit_exceeded' : 'server_error';
  return {
    status,
    kind: failure.kind,
    // The upstream's own code (server_error, rate_limit_exceeded…): not one of holdfast's.
    body: { ...openAIError(failure.message, { type: status === 429 ? 'rate_limit_error' : 'server_error', code }) },
  };
}

/** A job error with one of holdfast's own codes, from the catalogue. */
export function jobErrorOf<C extends ErrorCode>(code: C, args: MessageArgs<C>, kind: FailureKind): JobError {
  return { status: errorCatalogue[code].status, kind, body: { ...errorBody(code, args) } };
}

const ROUTING_CODES = { queue_full: 'queue_full', deadline: 'deadline_exceeded', no_deployment: 'no_deployment_available' } as const;

export function jobErrorFromRouting(result: Extract<AcquireResult, { ok: false }>): JobError {
  return { ...jobErrorOf(ROUTING_CODES[result.reason], [result.message], 'no_capacity'), retryAfterMs: result.retryAfterMs };
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
