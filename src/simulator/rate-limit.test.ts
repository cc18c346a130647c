import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatResetDuration, rateLimitHeaders, SlidingWindowLimiter } from './rate-limit.js';

test('a sliding window admits `requests` per window and says when to retry', () => {
  const limiter = new SlidingWindowLimiter({ requests: 2, windowMs: 60_000 });
  assert.equal(limiter.take(0).allowed, true);
  assert.equal(limiter.take(10_000).remaining, 0);
  const refused = limiter.take(20_000);
  assert.equal(refused.allowed, false);
  assert.equal(refused.retryAfterMs, 40_000);
  assert.deepEqual(rateLimitHeaders(refused), {
    'x-ratelimit-limit-requests': '2', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '40s',
    'retry-after': '40', 'retry-after-ms': '40000',
  });
  assert.equal(limiter.take(60_001).allowed, true);
});

test('reset durations read like Go durations', () => {
  assert.equal(formatResetDuration(12), '12ms');
  assert.equal(formatResetDuration(6000), '6s');
  assert.equal(formatResetDuration(60_000), '1m0s');
});
