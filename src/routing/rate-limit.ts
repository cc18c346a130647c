// One deployment's request budget: a sliding window of starts, optional concurrency, and what the
// upstream taught us (x-ratelimit-* headers, 429 retry-after). Pure bookkeeping on `now` values.
import type { RateLimitInfo } from '../upstream/adapter.js';

export interface RateLimitOptions {
  /** Starts allowed within any window of `windowMs` (unset: no local limit until learned). */
  requests?: number;
  windowMs?: number;
  /**
   * Extra time a start stays counted past its window, so that network jitter between our clock and
   * the upstream's can never squeeze `requests + 1` starts into one upstream window.
   */
  marginMs?: number;
  /** Attempts in flight at once. */
  concurrency?: number;
}

export type TakeResult =
  | { ok: true }
  /** waitMs is Infinity when only a release (concurrency) can free the budget. */
  | { ok: false; waitMs: number; reason: 'window' | 'backoff' | 'concurrency' };

export interface BudgetView {
  remaining: number | null;
  limit: number | null;
  window_ms: number;
  resets_in_ms: number;
}

export interface RateLimit {
  /** Would a take succeed now? Does not take. */
  check(now: number): TakeResult;
  /** Takes one start (and one concurrency slot) when the budget allows. */
  tryTake(now: number): TakeResult;
  /** Gives back the concurrency slot of a finished attempt (the start stays counted). */
  release(): void;
  /** Undoes a take made at `takenAt` whose attempt never went out: its start and its slot. */
  untake(takenAt: number): void;
  /** Learns from the upstream's x-ratelimit-* headers. */
  observe(info: RateLimitInfo, now: number): void;
  /** Takes nothing until `untilMs` (a 429's retry-after). */
  backOff(untilMs: number): void;
  view(now: number): BudgetView;
}

const defaultWindowMs = 60_000;

export function createRateLimit(options: RateLimitOptions = {}): RateLimit {
  const windowMs = options.windowMs ?? defaultWindowMs;
  const marginMs = options.marginMs ?? 0;
  let limit: number | undefined = options.requests;
  /** Expiry time of every counted start, ours and those learned from the upstream, ascending. */
  let expiries: number[] = [];
  let blockedUntil = 0;
  let inFlight = 0;

  const prune = (now: number): void => {
    if (expiries.length > 0 && expiries[0] <= now) expiries = expiries.filter((at) => at > now);
  };

  const check = (now: number): TakeResult => {
    prune(now);
    if (blockedUntil > now) return { ok: false, waitMs: blockedUntil - now, reason: 'backoff' };
    if (limit !== undefined && expiries.length >= limit) {
      // The start that frees a slot is the (count - limit + 1)-th to expire.
      const frees = expiries[expiries.length - limit];
      return { ok: false, waitMs: Math.max(1, (frees ?? now) - now), reason: 'window' };
    }
    if (options.concurrency !== undefined && inFlight >= options.concurrency) {
      return { ok: false, waitMs: Infinity, reason: 'concurrency' };
    }
    return { ok: true };
  };

  const addExpiry = (at: number): void => {
    let i = expiries.length;
    while (i > 0 && expiries[i - 1] > at) i -= 1;
    expiries.splice(i, 0, at);
  };

  return {
    check,
    tryTake(now) {
      const result = check(now);
      if (!result.ok) return result;
      addExpiry(now + windowMs + marginMs);
      inFlight += 1;
      return result;
    },
    release() {
      inFlight = Math.max(0, inFlight - 1);
    },
    untake(takenAt) {
      inFlight = Math.max(0, inFlight - 1);
      const index = expiries.indexOf(takenAt + windowMs + marginMs);
      if (index >= 0) expiries.splice(index, 1);
    },
    observe(info, now) {
      prune(now);
      if (info.limitRequests !== undefined && info.limitRequests > 0) {
        limit = limit === undefined ? info.limitRequests : Math.min(limit, info.limitRequests);
      }
      const resetMs = info.resetRequestsMs ?? windowMs;
      if (info.remainingRequests === 0) blockedUntil = Math.max(blockedUntil, now + resetMs);
      if (info.remainingRequests === undefined || limit === undefined) return;
      // Someone else shares the quota: count their starts too, until the upstream's reset.
      const missing = limit - expiries.length - info.remainingRequests;
      for (let i = 0; i < missing; i += 1) addExpiry(now + resetMs);
    },
    backOff(untilMs) {
      blockedUntil = Math.max(blockedUntil, untilMs);
    },
    view(now) {
      const state = check(now);
      const left = limit === undefined ? null : Math.max(0, limit - expiries.length);
      const remaining = blockedUntil > now && left !== null ? 0 : left;
      const resetsIn = state.ok ? 0 : Number.isFinite(state.waitMs) ? state.waitMs : 0;
      return { remaining, limit: limit ?? null, window_ms: windowMs, resets_in_ms: resetsIn };
    },
  };
}
