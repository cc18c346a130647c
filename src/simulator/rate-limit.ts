// Per-deployment request rate limit: a sliding window over admitted requests, in simulated ms.
import type { RateLimitSpec } from './scenario-types.js';

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Until the oldest counted request leaves the window (0 when the window is empty). */
  resetMs: number;
  /** Set when refused. */
  retryAfterMs?: number;
}

export class SlidingWindowLimiter {
  private admitted: number[] = [];

  constructor(private readonly spec: RateLimitSpec) {}

  /** Admits the request at `nowMs` if the window has room. */
  take(nowMs: number): RateDecision {
    const { requests, windowMs } = this.spec;
    this.admitted = this.admitted.filter((t) => t > nowMs - windowMs);
    const allowed = this.admitted.length < requests;
    if (allowed) this.admitted.push(nowMs);
    const oldest = this.admitted[0];
    const resetMs = oldest === undefined ? 0 : Math.max(0, oldest + windowMs - nowMs);
    return {
      allowed,
      limit: requests,
      remaining: Math.max(0, requests - this.admitted.length),
      resetMs,
      retryAfterMs: allowed ? undefined : Math.max(1, resetMs),
    };
  }

  reset(): void {
    this.admitted = [];
  }
}

/** Go-duration style used by `x-ratelimit-reset-requests` (wire-format §6.1): `12ms`, `6s`, `1m0s`. */
export function formatResetDuration(ms: number): string {
  if (ms < 1000) return `${Math.ceil(ms)}ms`;
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  return `${Math.floor(seconds / 60)}m${seconds % 60}s`;
}

export function rateLimitHeaders(decision: RateDecision): Record<string, string> {
  const headers: Record<string, string> = {
    'x-ratelimit-limit-requests': String(decision.limit),
    'x-ratelimit-remaining-requests': String(decision.remaining),
    'x-ratelimit-reset-requests': formatResetDuration(decision.resetMs),
  };
  if (decision.retryAfterMs !== undefined) {
    headers['retry-after'] = String(Math.ceil(decision.retryAfterMs / 1000));
    headers['retry-after-ms'] = String(Math.ceil(decision.retryAfterMs));
  }
  return headers;
}
