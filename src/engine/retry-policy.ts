// decide(failure, history): retry (after how long, where) or give up. Pure; maps the design's
// retry table (design.md, "Error classification") one-to-one onto the switch below.
import { assertNever } from '../errors.js';
import type { FailureKind } from './job.js';
import type { Random } from '../time/random.js';

export interface RetryOptions {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface RetryContext {
  /** Attempts made so far, including the one that just failed (1-based). */
  attempt: number;
  now: number;
  deadlineAt: number;
  /** Is there a deployment in the pool this job has not tried yet? */
  untriedDeploymentLeft: boolean;
  /** Upstream's requested wait (429 retry-after-ms / retry-after). */
  retryAfterMs?: number;
}

export type RetryDecision =
  | { retry: true; delayMs: number; avoidLast: boolean }
  | { retry: false; reason: 'not_retryable' | 'attempts_exhausted' | 'deadline' };

/** Exponential backoff with full jitter: uniform in [0, min(max, base·2^(attempt−1))]. */
export function backoffMs(attempt: number, options: RetryOptions, random: Random): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random.next() * ceiling);
}

type Class = 'transient' | 'rate_limited' | 'deployment_broken' | 'final';

function classOf(kind: FailureKind): Class {
  switch (kind) {
    case 'connect':
    case 'idle_timeout':
    case 'server_error':
    case 'stream_error':
      return 'transient';
    case 'rate_limited':
      return 'rate_limited';
    case 'auth':
    case 'not_found':
      return 'deployment_broken';
    case 'bad_request':
    case 'content_policy':
    case 'deadline':
    case 'cancelled':
    case 'no_capacity':
      return 'final';
    default:
      return assertNever(kind);
  }
}

export function decideRetry(kind: FailureKind, ctx: RetryContext, options: RetryOptions, random: Random): RetryDecision {
  const cls = classOf(kind);
  if (cls === 'final') return { retry: false, reason: 'not_retryable' };
  if (cls === 'deployment_broken' && !ctx.untriedDeploymentLeft) return { retry: false, reason: 'not_retryable' };
  if (ctx.attempt >= options.maxAttempts) return { retry: false, reason: 'attempts_exhausted' };
  let delayMs: number;
  if (cls === 'deployment_broken') delayMs = 0;
  else if (cls === 'rate_limited') {
    // Another deployment can take it now; the router backs this one off for retry-after.
    delayMs = ctx.untriedDeploymentLeft ? 0 : (ctx.retryAfterMs ?? backoffMs(ctx.attempt, options, random));
  } else {
    delayMs = backoffMs(ctx.attempt, options, random);
  }
  if (ctx.now + delayMs >= ctx.deadlineAt) return { retry: false, reason: 'deadline' };
  return { retry: true, delayMs, avoidLast: true };
}
