import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from './manual-clock.js';
import { createSeededRandom } from './random.js';

test('timers fire in time order only as time advances', async () => {
  const clock = new ManualClock(0);
  const fired: string[] = [];
  clock.setTimer(300, () => fired.push('c'));
  clock.setTimer(100, () => fired.push('a'));
  clock.setTimer(200, () => fired.push('b'));
  await clock.advanceBy(150);
  assert.deepEqual(fired, ['a']);
  await clock.advanceBy(200, { stepMs: 50 });
  assert.deepEqual(fired, ['a', 'b', 'c']);
  assert.equal(clock.now(), 350);
});

test('sleep rejects with the abort reason and its timer never fires', async () => {
  const clock = new ManualClock(0);
  const controller = new AbortController();
  const sleeping = clock.sleep(1000, controller.signal);
  controller.abort(new Error('stop'));
  await assert.rejects(sleeping, /stop/);
  assert.equal(clock.pendingCount, 0);
});

test('a seeded random repeats its sequence', () => {
  const a = createSeededRandom(7);
  const b = createSeededRandom(7);
  const xs = [a.next(), a.next(), a.next()];
  assert.deepEqual(xs, [b.next(), b.next(), b.next()]);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
});
