import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../time/manual-clock.js';
import { createSeededRandom } from '../time/random.js';
import { createMetrics } from '../observability/metrics.js';
import { createRouter, type RouterOptions } from './scored-router.js';
import type { AcquireResult, RouteLease, RouteRequest } from './router.js';

function setup(deployment: RouterOptions['deployments'][string], queue = { maxDepth: 100, maxWaitMs: 3_600_000 }) {
  const clock = new ManualClock(0);
  const metrics = createMetrics();
  const router = createRouter({ clock, random: createSeededRandom(1), metrics }, {
    models: { img: { deployments: ['solo'], queue } },
    deployments: { solo: deployment },
  });
  const request = (over: Partial<RouteRequest> = {}): RouteRequest => ({
    model: 'img', sizeClass: 'medium', quality: 'high', avoid: [], deadlineAt: clock.now() + 3_600_000, clientKey: '', ...over,
  });
  const acquire = (over: Partial<RouteRequest> = {}, signal = new AbortController().signal) => router.acquire(request(over), signal);
  return { clock, router, metrics, acquire };
}

function leaseOf(result: AcquireResult): RouteLease {
  if (!result.ok) throw new Error(`refused: ${result.reason}`);
  return result.lease;
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('waiters are served FIFO per client key and round-robin across keys as leases are released', async () => {
  const { router, acquire, metrics } = setup({ weight: 1, concurrency: 1 });
  const held = [leaseOf(await acquire())];
  const order: string[] = [];
  const names = ['a1', 'a2', 'a3', 'b1', 'b2', 'c1'];
  for (const name of names) {
    void acquire({ clientKey: name[0] }).then((r) => {
      order.push(name);
      held.push(leaseOf(r));
    });
  }
  assert.equal(router.queueDepth('img'), 6);
  assert.match(await metrics.text(), /holdfast_queue_depth\{model="img"\} 6/);
  for (let i = 0; i < names.length; i += 1) {
    held[i].release({ ok: true, durationMs: 1_000 });
    await settle();
    assert.equal(held.length, i + 2, 'one release serves exactly one waiter');
  }
  assert.deepEqual(order, ['a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
});

test('past maxDepth a request is refused at once with queue_full and a retry-after', async () => {
  const { acquire } = setup({ weight: 1, rateLimit: { requests: 1, windowMs: 60_000, marginMs: 0 } }, { maxDepth: 2, maxWaitMs: 600_000 });
  leaseOf(await acquire());
  void acquire();
  void acquire();
  const third = await acquire();
  assert.deepEqual(third, { ok: false, reason: 'queue_full', message: 'The queue for this model is full.', retryAfterMs: 60_000 });
});

test('a request whose budget frees only after maxWaitMs or its deadline is refused with deadline and a retry-after', async () => {
  const { clock, acquire } = setup({ weight: 1, rateLimit: { requests: 1, windowMs: 60_000, marginMs: 0 } }, { maxDepth: 10, maxWaitMs: 10_000 });
  leaseOf(await acquire());
  await clock.advanceBy(5_000);
  const short = await acquire();
  assert.equal(short.ok ? 'ok' : short.reason, 'deadline');
  assert.equal(short.ok ? 0 : short.retryAfterMs, 55_000);
});

test('a waiter whose bound passes while waiting for a release gets deadline', async () => {
  const { clock, router, acquire } = setup({ weight: 1, concurrency: 1 }, { maxDepth: 10, maxWaitMs: 600_000 });
  leaseOf(await acquire());
  let outcome: AcquireResult | undefined;
  void acquire({ deadlineAt: clock.now() + 20_000 }).then((r) => { outcome = r; });
  await clock.advanceBy(19_000, { stepMs: 1_000 });
  assert.equal(outcome, undefined);
  await clock.advanceBy(1_000);
  const seen = outcome as AcquireResult | undefined;
  assert.equal(seen?.ok === false && seen.reason, 'deadline');
  assert.equal(router.queueDepth('img'), 0);
});

test('an aborted waiter leaves the queue and the next release serves the one behind it', async () => {
  const { router, acquire } = setup({ weight: 1, concurrency: 1 });
  const first = leaseOf(await acquire());
  const controller = new AbortController();
  const aborted = acquire({ clientKey: 'x' }, controller.signal);
  const kept = acquire({ clientKey: 'x' });
  controller.abort(new Error('client went away'));
  await assert.rejects(aborted, /client went away/);
  assert.equal(router.queueDepth('img'), 1);
  first.release({ ok: true, durationMs: 10 });
  leaseOf(await kept);
  assert.equal(router.queueDepth('img'), 0);
});

test('a waiter is woken by the clock when the window frees, and close() refuses the rest', async () => {
  const { clock, router, acquire, metrics } = setup({ weight: 1, rateLimit: { requests: 1, windowMs: 60_000, marginMs: 0 } });
  leaseOf(await acquire()).release({ ok: true, durationMs: 1 });
  let servedAt = -1;
  const woken = acquire().then((r) => { leaseOf(r); servedAt = clock.now(); });
  const later = acquire();
  await clock.advanceBy(61_000, { stepMs: 1_000 });
  await woken;
  assert.equal(servedAt, 60_000);
  assert.match(await metrics.text(), /holdfast_queue_wait_seconds_sum\{model="img"\} 60/);
  await router.close();
  await router.close();
  const refused = await later;
  assert.equal(refused.ok ? 'ok' : refused.reason, 'no_deployment');
  assert.equal(clock.pendingCount, 0, 'no timer left behind');
});

test('an unknown model is refused with no_deployment', async () => {
  const { router } = setup({ weight: 1 });
  const result = await router.acquire({
    model: 'nope', sizeClass: 'small', quality: 'low', avoid: [], deadlineAt: 1e12, clientKey: '',
  }, new AbortController().signal);
  assert.equal(result.ok ? 'ok' : result.reason, 'no_deployment');
});

test('the router feeds budget, 429 and circuit metrics', async () => {
  const { acquire, metrics } = setup({ weight: 1, rateLimit: { requests: 5, windowMs: 60_000 } });
  assert.match(await metrics.text(), /holdfast_circuit_state\{deployment="solo",size_class="large"\} 0/);
  leaseOf(await acquire()).release({ ok: false, kind: 'rate_limited', status: 429, durationMs: 5, retryAfterMs: 1_000 });
  const text = await metrics.text();
  assert.match(text, /holdfast_upstream_429_total\{deployment="solo"\} 1/);
  assert.match(text, /holdfast_rate_limit_remaining\{deployment="solo"\} 0/, 'backed off: nothing left for now');
});
