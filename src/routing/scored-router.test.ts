import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../time/manual-clock.js';
import { createSeededRandom } from '../time/random.js';
import { createRouter, type RouterOptions } from './scored-router.js';
import type { AcquireResult, RouteLease, RouteRequest } from './router.js';

const hour = 3_600_000;

function setup(deployments: RouterOptions['deployments'], extra: Partial<RouterOptions> = {}) {
  const clock = new ManualClock(0);
  const router = createRouter({ clock, random: createSeededRandom(42) }, {
    models: { img: { deployments: Object.keys(deployments), queue: { maxDepth: 1_000, maxWaitMs: hour } } },
    deployments,
    ...extra,
  });
  const request = (over: Partial<RouteRequest> = {}): RouteRequest => ({
    model: 'img', sizeClass: 'large', quality: 'high', avoid: [], deadlineAt: clock.now() + hour, clientKey: '', ...over,
  });
  return { clock, router, request };
}

function leaseOf(result: AcquireResult): RouteLease {
  if (!result.ok) throw new Error(`refused: ${result.reason}`);
  return result.lease;
}

/** Largest number of starts inside any window [t, t + windowMs). */
function maxInAnyWindow(starts: number[], windowMs: number): number {
  let best = 0;
  for (let lo = 0, hi = 0; hi < starts.length; hi += 1) {
    while (starts[hi] - starts[lo] >= windowMs) lo += 1;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

test('300 queued requests over two 10-a-minute deployments never exceed either budget and all get served', async () => {
  const { clock, router, request } = setup({
    east: { weight: 1, rateLimit: { requests: 10, windowMs: 60_000 } },
    west: { weight: 1, rateLimit: { requests: 10, windowMs: 60_000 } },
  });
  const random = createSeededRandom(5);
  const starts: Record<string, number[]> = { east: [], west: [] };
  const all = Array.from({ length: 300 }, (_, i) =>
    router.acquire(request({ clientKey: `k${i % 3}` }), new AbortController().signal).then((result) => {
      const lease = leaseOf(result);
      starts[lease.deploymentId].push(clock.now());
      const durationMs = 20_000 + Math.floor(random.next() * 40_000);
      clock.setTimer(durationMs, () => lease.release({ ok: true, durationMs }));
    }));
  await clock.advanceBy(20 * 60_000, { stepMs: 1_000 });
  await Promise.all(all);
  for (const id of ['east', 'west']) assert.ok(maxInAnyWindow(starts[id], 60_000) <= 10, id);
  assert.equal(starts.east.length + starts.west.length, 300);
  assert.equal(router.queueDepth('img'), 0);
});

test('a 429 with retry-after backs the deployment off for that long', async () => {
  const { clock, router, request } = setup({ east: { weight: 1 } });
  const first = leaseOf(await router.acquire(request(), new AbortController().signal));
  first.release({ ok: false, kind: 'rate_limited', status: 429, durationMs: 200, retryAfterMs: 30_000 });
  first.release({ ok: true, durationMs: 1 });
  let servedAt = -1;
  const next = router.acquire(request(), new AbortController().signal).then((r) => { leaseOf(r); servedAt = clock.now(); });
  await clock.advanceBy(29_000, { stepMs: 1_000 });
  assert.equal(servedAt, -1);
  await clock.advanceBy(2_000, { stepMs: 1_000 });
  await next;
  assert.equal(servedAt, 30_000);
  const [row] = router.health().filter((r) => r.size_class === 'large');
  assert.equal(row.status_429, 1);
  assert.equal(row.requests, 1, 'the second release of the same lease is ignored');
});

/** Runs n sequential attempts, one every 15 s; returns how many went to each deployment. */
async function run(ctx: ReturnType<typeof setup>, n: number, outcome: (id: string, i: number) => { ok: boolean; durationMs: number }) {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i += 1) {
    const lease = leaseOf(await ctx.router.acquire(ctx.request(), new AbortController().signal));
    counts[lease.deploymentId] = (counts[lease.deploymentId] ?? 0) + 1;
    const o = outcome(lease.deploymentId, i);
    lease.release(o.ok ? { ok: true, durationMs: o.durationMs } : { ok: false, kind: 'stream_error', durationMs: o.durationMs });
    await ctx.clock.advanceBy(15_000);
  }
  return counts;
}

test('traffic shifts to the steady region while the other is flaky and slow, and back after it recovers', async () => {
  const ctx = setup({ steady: { weight: 1 }, flaky: { weight: 1 } });
  const flakyPhase = (id: string, i: number) =>
    id === 'flaky' ? { ok: i % 2 === 0, durationMs: 300_000 } : { ok: true, durationMs: 200_000 };
  await run(ctx, 40, flakyPhase);
  const late = await run(ctx, 100, flakyPhase);
  assert.ok((late.steady ?? 0) >= 85, `steady got ${late.steady} of 100`);
  assert.ok((late.flaky ?? 0) >= 1, 'exploration still samples the flaky region');
  await run(ctx, 150, () => ({ ok: true, durationMs: 200_000 }));
  const recovered = await run(ctx, 100, () => ({ ok: true, durationMs: 200_000 }));
  assert.ok((recovered.flaky ?? 0) >= 30, `flaky won back ${recovered.flaky} of 100`);
});

test('a retry prefers a deployment it has not tried', async () => {
  const { router, request } = setup({ a: { weight: 5 }, b: { weight: 1 } });
  for (let i = 0; i < 20; i += 1) {
    const lease = leaseOf(await router.acquire(request({ avoid: ['a'] }), new AbortController().signal));
    assert.equal(lease.deploymentId, 'b');
    lease.release({ ok: true, durationMs: 1_000 });
  }
});

test('a deployment failing every call opens its circuit, half-opens with one probe, and closes on its success', async () => {
  const circuit = { windowMs: 60_000, failureRate: 0.5, minRequests: 3, cooldownMs: 30_000 };
  const { clock, router, request } = setup({ solo: { weight: 1 } }, { circuit });
  for (let i = 0; i < 3; i += 1) {
    leaseOf(await router.acquire(request(), new AbortController().signal)).release({ ok: false, kind: 'server_error', status: 500, durationMs: 100 });
  }
  assert.equal(router.health().find((r) => r.size_class === 'large')?.circuit, 'open');
  const soon = await router.acquire(request({ deadlineAt: clock.now() + 10_000 }), new AbortController().signal);
  assert.equal(soon.ok ? 'ok' : soon.reason, 'no_deployment');
  assert.equal(soon.ok ? 0 : soon.retryAfterMs, 30_000);
  const probe = router.acquire(request(), new AbortController().signal);
  const second = router.acquire(request(), new AbortController().signal);
  await clock.advanceBy(30_000, { stepMs: 1_000 });
  const probeLease = leaseOf(await probe);
  assert.equal(router.queueDepth('img'), 1, 'exactly one probe while half-open');
  assert.equal(router.health().find((r) => r.size_class === 'large')?.circuit, 'half_open');
  probeLease.release({ ok: true, durationMs: 5_000 });
  leaseOf(await second);
  assert.equal(router.health().find((r) => r.size_class === 'large')?.circuit, 'closed');
});

test('an open circuit for one size class leaves the others served', async () => {
  const circuit = { windowMs: 60_000, failureRate: 0.5, minRequests: 2, cooldownMs: 30_000 };
  const { router, request } = setup({ a: { weight: 1 }, b: { weight: 1 } }, { circuit });
  const circuitOfA = () => router.health().find((r) => r.deployment === 'a' && r.size_class === 'large')?.circuit;
  for (let i = 0; i < 500 && circuitOfA() === 'closed'; i += 1) {
    const lease = leaseOf(await router.acquire(request(), new AbortController().signal));
    lease.release(lease.deploymentId === 'a' ? { ok: false, kind: 'connect', durationMs: 10 } : { ok: true, durationMs: 1_000 });
  }
  const rows = router.health();
  assert.equal(rows.find((r) => r.deployment === 'a' && r.size_class === 'large')?.circuit, 'open');
  assert.equal(rows.find((r) => r.deployment === 'a' && r.size_class === 'small')?.circuit, 'closed');
  for (let i = 0; i < 10; i += 1) {
    const lease = leaseOf(await router.acquire(request(), new AbortController().signal));
    assert.equal(lease.deploymentId, 'b');
    lease.release({ ok: true, durationMs: 1_000 });
  }
});

test('rate-limit headers of a long call describe its start, so a remaining of 0 seen at its end blocks nothing once the window has passed', async () => {
  const { clock, router, request } = setup({ east: { rateLimit: { requests: 2, windowMs: 60_000 } } });
  const signal = new AbortController().signal;
  const first = leaseOf(await router.acquire(request(), signal));
  const second = leaseOf(await router.acquire(request(), signal));
  await clock.advanceBy(245_000);
  // Computed by the upstream at admission (window full, the oldest start frees in 60 s), received 245 s later.
  const rateLimit = { limitRequests: 2, remainingRequests: 0, resetRequestsMs: 60_000 };
  first.release({ ok: true, durationMs: 245_000, rateLimit });
  second.release({ ok: true, durationMs: 245_000, rateLimit });
  let next: AcquireResult | undefined;
  const pending = router.acquire(request(), signal).then((result) => { next = result; });
  await clock.advanceBy(1_000);
  await router.close();
  await pending;
  assert.equal(next?.ok, true, 'the budget is free: both starts left the window 185 s ago');
});

test('the router says whether a failover target is left: a deployment of the route not yet tried', () => {
  const { router } = setup({ east: { weight: 1 }, west: { weight: 1 } });
  assert.equal(router.hasUntried('img', []), true);
  assert.equal(router.hasUntried('img', ['east']), true);
  assert.equal(router.hasUntried('img', ['east', 'west']), false);
  assert.equal(router.hasUntried('unknown-route', []), false);
});
