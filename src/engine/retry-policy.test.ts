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
