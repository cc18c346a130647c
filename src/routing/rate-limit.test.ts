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

test('a start frees its slot exactly when its window (plus margin) ends, and every expired start leaves', () => {
  const budget = createRateLimit({ requests: 2, windowMs: 1_000 });
  assert.ok(budget.tryTake(0).ok);
  assert.ok(budget.tryTake(500).ok);
  assert.deepEqual(budget.check(999), { ok: false, waitMs: 1, reason: 'window' });
  assert.equal(budget.view(1_000).remaining, 1, 'the start at 0 left at 1 000');
  assert.equal(budget.view(1_500).remaining, 2, 'both left by 1 500, the second exactly then');
  const margin = createRateLimit({ requests: 1, windowMs: 1_000, marginMs: 250 });
  assert.ok(margin.tryTake(0).ok);
  assert.deepEqual(margin.check(1_000), { ok: false, waitMs: 250, reason: 'window' });
  assert.ok(margin.tryTake(1_250).ok);
});

test('with more starts counted than the limit, the wait is until enough of them have left', () => {
  const budget = createRateLimit({ requests: 5, windowMs: 10_000 });
  for (const at of [0, 1_000, 2_000, 3_000]) assert.ok(budget.tryTake(at).ok);
  // The upstream now says its limit is 2: two of our four starts must leave before one more fits.
  budget.observe({ limitRequests: 2 }, 4_000);
  assert.deepEqual(budget.check(4_000), { ok: false, waitMs: 8_000, reason: 'window' }, 'the third start (at 2 000) frees the slot at 12 000');
  assert.deepEqual(budget.view(4_000), { remaining: 0, limit: 2, window_ms: 10_000, resets_in_ms: 8_000 });
});

test('a learned limit only tightens, and a zero or missing limit header teaches nothing', () => {
  const budget = createRateLimit({ requests: 2, windowMs: 10_000 });
  budget.observe({ limitRequests: 10 }, 0);
  assert.equal(budget.view(0).limit, 2, 'a larger upstream limit does not loosen ours');
  budget.observe({ limitRequests: 0 }, 0);
  budget.observe({}, 0);
  assert.equal(budget.view(0).limit, 2);
  assert.ok(budget.tryTake(0).ok);
  const unset = createRateLimit({ windowMs: 10_000 });
  unset.observe({ limitRequests: 0 }, 0);
  assert.deepEqual(unset.view(0), { remaining: null, limit: null, window_ms: 10_000, resets_in_ms: 0 });
  assert.ok(unset.tryTake(0).ok, 'limit 0 from a header is not a limit');
  unset.observe({ limitRequests: 3 }, 0);
  assert.equal(unset.view(0).limit, 3, 'no local limit: the upstream one is learned');
  assert.equal(unset.view(0).remaining, 2);
});

test('remaining 0 without a reset header blocks for one window; a longer back-off is not shortened', () => {
  const budget = createRateLimit({ windowMs: 10_000 });
  budget.observe({ remainingRequests: 0 }, 1_000);
  assert.deepEqual(budget.check(10_999), { ok: false, waitMs: 1, reason: 'backoff' });
  assert.ok(budget.check(11_000).ok);
  budget.backOff(50_000);
  budget.observe({ remainingRequests: 0, resetRequestsMs: 1_000 }, 20_000);
  budget.backOff(30_000);
  assert.deepEqual(budget.check(40_000), { ok: false, waitMs: 10_000, reason: 'backoff' });
  assert.ok(budget.check(50_000).ok);
});

test('a shared quota counts the other clients\' starts until the upstream reset, then frees them', () => {
  const budget = createRateLimit({ requests: 4, windowMs: 60_000 });
  budget.observe({ remainingRequests: 1, resetRequestsMs: 5_000 }, 10_000);
  assert.equal(budget.view(10_000).remaining, 1, 'three starts of others are counted');
  assert.ok(budget.tryTake(10_000).ok);
  assert.deepEqual(budget.check(10_000), { ok: false, waitMs: 5_000, reason: 'window' }, 'the learned starts leave at the reset, before ours');
  assert.equal(budget.view(15_000).remaining, 3);
  budget.observe({ remainingRequests: 3 }, 15_000);
  assert.equal(budget.view(15_000).remaining, 3, 'nothing missing: nothing added');
  budget.observe({ remainingRequests: 9 }, 15_000);
  assert.equal(budget.view(15_000).remaining, 3, 'more remaining upstream than our limit allows adds nothing');
});

test('an untake of a start that was never taken leaves the counted starts alone', () => {
  const budget = createRateLimit({ requests: 2, windowMs: 1_000, marginMs: 100, concurrency: 2 });
  assert.ok(budget.tryTake(0).ok);
  assert.ok(budget.tryTake(10).ok);
  budget.untake(5);
  assert.equal(budget.view(20).remaining, 0, 'no start was taken at 5');
  budget.untake(10);
  assert.equal(budget.view(20).remaining, 1, 'the start at 10 (with its margin) is given back');
  assert.deepEqual(budget.check(1_099), { ok: true });
  const slots = createRateLimit({ concurrency: 1 });
  slots.untake(0);
  assert.ok(slots.tryTake(0).ok);
  assert.deepEqual(slots.tryTake(0), { ok: false, waitMs: Infinity, reason: 'concurrency' }, 'an untake with nothing in flight frees no extra slot');
});

test('the budget view: defaults, a back-off on an unknown limit, and a concurrency wait that no time frees', () => {
  assert.deepEqual(createRateLimit().view(0), { remaining: null, limit: null, window_ms: 60_000, resets_in_ms: 0 });
  const blocked = createRateLimit();
  blocked.backOff(3_000);
  assert.deepEqual(blocked.view(1_000), { remaining: null, limit: null, window_ms: 60_000, resets_in_ms: 2_000 });
  const limited = createRateLimit({ requests: 3 });
  limited.backOff(3_000);
  assert.equal(limited.view(2_999).remaining, 0);
  assert.equal(limited.view(3_000).remaining, 3, 'the back-off ends at its instant');
  const busy = createRateLimit({ requests: 3, concurrency: 1 });
  assert.ok(busy.tryTake(0).ok);
  assert.deepEqual(busy.view(0), { remaining: 2, limit: 3, window_ms: 60_000, resets_in_ms: 0 });
});
