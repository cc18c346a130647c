import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRateLimit } from './rate-limit.js';
import { createSeededRandom } from '../time/random.js';

/** Largest number of starts inside any half-open window [t, t + windowMs). */
function maxInAnyWindow(starts: number[], windowMs: number): number {
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < starts.length; hi += 1) {
    while (starts[hi] - starts[lo] >= windowMs) lo += 1;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

test('ten simulated minutes of greedy takes never put more than 10 starts in any 60 s window', () => {
  const budget = createRateLimit({ requests: 10, windowMs: 60_000 });
  const random = createSeededRandom(11);
  const starts: number[] = [];
  for (let now = 0; now < 600_000; now += Math.floor(random.next() * 700)) {
    if (budget.tryTake(now).ok) {
      starts.push(now);
      budget.release();
    }
  }
  assert.ok(starts.length >= 90, `used the budget: ${starts.length}`);
  assert.ok(maxInAnyWindow(starts, 60_000) <= 10);
});

test('a refused take says how long until the oldest start leaves the window', () => {
  const budget = createRateLimit({ requests: 2, windowMs: 10_000, marginMs: 500 });
  assert.ok(budget.tryTake(0).ok);
  assert.ok(budget.tryTake(3_000).ok);
  assert.deepEqual(budget.tryTake(4_000), { ok: false, waitMs: 6_500, reason: 'window' });
  assert.equal(budget.check(10_499).ok, false);
  assert.ok(budget.tryTake(10_500).ok);
  assert.deepEqual(budget.view(10_500), { remaining: 0, limit: 2, window_ms: 10_000, resets_in_ms: 3_000 });
});

test('concurrency is freed by release, not by time', () => {
  const budget = createRateLimit({ concurrency: 1 });
  assert.ok(budget.tryTake(0).ok);
  assert.deepEqual(budget.tryTake(1_000_000), { ok: false, waitMs: Infinity, reason: 'concurrency' });
  budget.release();
  budget.release();
  assert.ok(budget.tryTake(1_000_000).ok);
  assert.equal(budget.tryTake(1_000_000).ok, false);
});

test('a 429 retry-after backs the deployment off until then', () => {
  const budget = createRateLimit({ requests: 10, windowMs: 60_000 });
  budget.backOff(20_000);
  assert.deepEqual(budget.tryTake(5_000), { ok: false, waitMs: 15_000, reason: 'backoff' });
  assert.equal(budget.view(5_000).remaining, 0);
  assert.ok(budget.tryTake(20_000).ok);
});

test('upstream remaining 0 with a reset blocks takes until the reset', () => {
  const budget = createRateLimit({});
  budget.observe({ remainingRequests: 0, resetRequestsMs: 7_000 }, 1_000);
  assert.equal(budget.tryTake(7_999).ok, false);
  assert.ok(budget.tryTake(8_000).ok);
});

test('a smaller upstream limit and a shared quota tighten the local view', () => {
  const budget = createRateLimit({ requests: 10, windowMs: 60_000 });
  assert.ok(budget.tryTake(0).ok);
  // The upstream allows 6 and has 3 left: someone else took 2 besides our 1.
  budget.observe({ limitRequests: 6, remainingRequests: 3, resetRequestsMs: 30_000 }, 1_000);
  assert.equal(budget.view(1_000).remaining, 3);
  for (let i = 0; i < 3; i += 1) assert.ok(budget.tryTake(2_000).ok);
  assert.equal(budget.tryTake(2_000).ok, false);
  // The learned starts leave at the upstream's reset, ours at the end of their window.
  assert.equal(budget.view(31_000).remaining, 2);
});

test('untake gives back a start that never went out, and its concurrency slot', () => {
  const limit = createRateLimit({ requests: 1, windowMs: 1_000, concurrency: 1 });
  assert.deepEqual(limit.tryTake(100), { ok: true });
  assert.equal(limit.check(200).ok, false);
  limit.untake(100);
  assert.deepEqual(limit.tryTake(200), { ok: true }, 'the window and the slot are free again');
  assert.equal(limit.view(300).remaining, 0);
});
