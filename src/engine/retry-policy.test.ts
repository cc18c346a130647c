import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffMs, decideRetry, type RetryContext } from './retry-policy.js';
import { createSeededRandom } from '../time/random.js';

const options = { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 30_000 };
const ctx = (over: Partial<RetryContext> = {}): RetryContext => ({ attempt: 1, now: 0, deadlineAt: 900_000, untriedDeploymentLeft: true, ...over });

test('transient failures are retried with full-jitter backoff under the cap', () => {
  const random = createSeededRandom(1);
  for (const kind of ['connect', 'idle_timeout', 'server_error', 'stream_error'] as const) {
    const d = decideRetry(kind, ctx({ attempt: 3 }), options, random);
    assert.ok(d.retry && d.delayMs >= 0 && d.delayMs <= 4000, kind);
  }
  for (let attempt = 1; attempt < 12; attempt += 1) assert.ok(backoffMs(attempt, options, random) <= 30_000);
});

test('refusals and bad requests are never retried', () => {
  const random = createSeededRandom(1);
  for (const kind of ['bad_request', 'content_policy'] as const) assert.deepEqual(decideRetry(kind, ctx(), options, random), { retry: false, reason: 'not_retryable' });
});

test('a broken deployment (401/404) is retried only on another deployment', () => {
  const random = createSeededRandom(1);
  assert.equal(decideRetry('auth', ctx(), options, random).retry, true);
  assert.equal(decideRetry('not_found', ctx({ untriedDeploymentLeft: false }), options, random).retry, false);
});

test('a 429 waits the upstream retry-after when no other deployment can take the attempt', () => {
  const random = createSeededRandom(1);
  assert.deepEqual(decideRetry('rate_limited', ctx({ untriedDeploymentLeft: false, retryAfterMs: 7000 }), options, random), { retry: true, delayMs: 7000, avoidLast: true });
  assert.deepEqual(decideRetry('rate_limited', ctx({ retryAfterMs: 7000 }), options, random), { retry: true, delayMs: 0, avoidLast: true });
});

test('no retry outlives the attempts or the deadline', () => {
  const random = createSeededRandom(1);
  assert.deepEqual(decideRetry('server_error', ctx({ attempt: 4 }), options, random), { retry: false, reason: 'attempts_exhausted' });
  assert.deepEqual(decideRetry('rate_limited', ctx({ untriedDeploymentLeft: false, retryAfterMs: 60_000, now: 850_000 }), options, random), { retry: false, reason: 'deadline' });
});

const half = { next: () => 0.5 };

test('backoff doubles from the base per attempt, is capped, and scales with the random draw', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 10].map((a) => backoffMs(a, options, half)), [500, 500, 1000, 2000, 4000, 8000, 15_000, 15_000]);
  assert.equal(backoffMs(3, options, { next: () => 0.999 }), 3996);
  assert.equal(backoffMs(3, options, { next: () => 0 }), 0);
});

test('each class gets its delay: transient backs off, a broken deployment moves on at once, a 429 elsewhere at once', () => {
  for (const kind of ['connect', 'idle_timeout', 'server_error', 'stream_error'] as const) {
    assert.deepEqual(decideRetry(kind, ctx({ attempt: 2 }), options, half), { retry: true, delayMs: 1000, avoidLast: true }, kind);
    assert.deepEqual(decideRetry(kind, ctx({ attempt: 2, untriedDeploymentLeft: false }), options, half), { retry: true, delayMs: 1000, avoidLast: true }, kind);
  }
  for (const kind of ['auth', 'not_found'] as const) {
    assert.deepEqual(decideRetry(kind, ctx({ attempt: 2 }), options, half), { retry: true, delayMs: 0, avoidLast: true }, kind);
    assert.deepEqual(decideRetry(kind, ctx({ attempt: 2, untriedDeploymentLeft: false }), options, half), { retry: false, reason: 'not_retryable' }, kind);
  }
  assert.deepEqual(decideRetry('rate_limited', ctx({ attempt: 2 }), options, half), { retry: true, delayMs: 0, avoidLast: true });
  assert.deepEqual(decideRetry('rate_limited', ctx({ attempt: 2, untriedDeploymentLeft: false }), options, half), { retry: true, delayMs: 1000, avoidLast: true }, 'no retry-after: backoff');
  for (const kind of ['bad_request', 'content_policy', 'deadline', 'cancelled', 'no_capacity'] as const) {
    assert.deepEqual(decideRetry(kind, ctx({ attempt: 1 }), options, half), { retry: false, reason: 'not_retryable' }, kind);
  }
});

test('a retry that would start exactly at the deadline is not made; one a millisecond earlier is', () => {
  assert.deepEqual(decideRetry('server_error', ctx({ attempt: 1, now: 1000, deadlineAt: 1500 }), options, half), { retry: false, reason: 'deadline' });
  assert.deepEqual(decideRetry('server_error', ctx({ attempt: 1, now: 999, deadlineAt: 1500 }), options, half), { retry: true, delayMs: 500, avoidLast: true });
  assert.deepEqual(decideRetry('server_error', ctx({ attempt: 3 }), options, half), { retry: true, delayMs: 2000, avoidLast: true }, 'attempt 3 of 4 still retries');
  assert.deepEqual(decideRetry('auth', ctx({ attempt: 4 }), options, half), { retry: false, reason: 'attempts_exhausted' });
});
