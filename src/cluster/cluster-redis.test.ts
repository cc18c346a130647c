// The cluster's Redis scripts on a real Redis (REDIS_URL or 127.0.0.1:6379, unique prefix, deleted
// after): the shared budget never lets more than its limit through in a window, whoever asks, and
// job leases have one holder, are taken over only once expired, and tell a stale owner it lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { testRedisUrl, useRedisPrefix } from '../../test/helpers/redis-prefix.js';
import { createSharedBudget } from './shared-budget.js';
import { createJobLeases } from './job-leases.js';

function connect(t: { after(fn: () => void): void }): Redis {
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  t.after(() => redis.disconnect());
  return redis;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('the shared budget admits exactly its limit per window across three replicas asking at once', async (t) => {
  const prefix = useRedisPrefix(t);
  const budgets = [connect(t), connect(t), connect(t)].map((r) => createSharedBudget(r, prefix));
  const limit = { requests: 3, windowMs: 400, marginMs: 50 };
  const first = await Promise.all(Array.from({ length: 30 }, (_, i) => budgets[i % 3].reserve('sweden', limit)));
  assert.equal(first.filter((r) => r.ok).length, 3);
  const refused = first.filter((r): r is Extract<typeof r, { ok: false }> => !r.ok);
  assert.ok(refused.every((r) => r.reason === 'window' && r.waitMs > 0 && r.waitMs <= 450), JSON.stringify(refused[0]));
  assert.equal(await budgets[1].used('sweden'), 3);
  // The slots free only after window + margin: not at 400 ms, yes by 450 ms.
  await sleep(Math.max(...refused.map((r) => r.waitMs)) + 5);
  const second = await Promise.all(Array.from({ length: 9 }, (_, i) => budgets[i % 3].reserve('sweden', limit)));
  assert.equal(second.filter((r) => r.ok).length, 3);
  assert.ok((await budgets[0].reserve('westeurope', limit)).ok, 'budgets are per deployment');
});

test('a 429 back-off and the half-open probe slot are shared', async (t) => {
  const prefix = useRedisPrefix(t);
  const [a, b] = [connect(t), connect(t)].map((r) => createSharedBudget(r, prefix));
  await a.backOff('sweden', 300);
  const blocked = await b.reserve('sweden', undefined);
  assert.equal(blocked.ok, false);
  assert.equal(!blocked.ok && blocked.reason, 'backoff');
  await sleep(320);
  assert.ok((await b.reserve('sweden', undefined)).ok);
  const probe = { sizeClass: 'large', ttlMs: 10_000 };
  assert.ok((await a.reserve('sweden', undefined, { probe: { ...probe, holder: 'a:1' } })).ok);
  const second = await b.reserve('sweden', undefined, { probe: { ...probe, holder: 'b:1' } });
  assert.equal(!second.ok && second.reason, 'probe');
  await b.endProbe('sweden', 'large', 'b:1');
  assert.equal((await b.reserve('sweden', undefined, { probe: { ...probe, holder: 'b:1' } })).ok, false, 'only the holder frees the slot');
  await a.endProbe('sweden', 'large', 'a:1');
  assert.ok((await b.reserve('sweden', undefined, { probe: { ...probe, holder: 'b:1' } })).ok);
});

test('job leases: one holder, takeover only after expiry, and the stale owner learns it lost', async (t) => {
  const prefix = useRedisPrefix(t);
  const unfinishedKey = `${prefix}jobs:unfinished`;
  const redis = connect(t);
  const a = createJobLeases({ redis, prefix, unfinishedKey, token: 'replica-a', leaseMs: 300 });
  const b = createJobLeases({ redis: connect(t), prefix, unfinishedKey, token: 'replica-b', leaseMs: 300 });
  await redis.zadd(unfinishedKey, 1, 'job_1', 2, 'job_2');
  assert.equal(await a.claim('job_1'), true);
  assert.equal(await a.claim('job_2'), true);
  assert.equal(await b.claim('job_1'), false);
  assert.deepEqual(await b.reap(10), [], 'live leases are not reaped');
  // A keeps renewing job_1 only; job_2's lease runs out.
  for (let i = 0; i < 4; i += 1) {
    await sleep(100);
    assert.deepEqual(await a.renew(['job_1']), []);
  }
  assert.deepEqual(await b.reap(10), ['job_2']);
  assert.equal(await redis.get(b.guardKeyOf('job_2')), 'replica-b', 'B owns job_2: appends are guarded by its token');
  assert.deepEqual(await a.renew(['job_1', 'job_2']), ['job_2'], 'A learns it lost job_2');
  // A's finish of a job it lost changes nothing; B's hand-back lets the next reaper take it at once.
  await a.finish('job_2');
  assert.equal(await redis.get(b.guardKeyOf('job_2')), 'replica-b');
  await b.handBack('job_2');
  assert.deepEqual(await a.reap(10), ['job_2']);
  await a.finish('job_1');
  assert.equal(await a.holder('job_1'), null);
});

test('a deployment\'s concurrency is one count of slots for the cluster; a slot nobody renews lapses', async (t) => {
  const prefix = useRedisPrefix(t);
  const budgets = [connect(t), connect(t), connect(t)].map((r) => createSharedBudget(r, prefix));
  const limit = { requests: 0, windowMs: 0, marginMs: 0, concurrency: 2 };
  const asks = await Promise.all(Array.from({ length: 9 }, (_, i) => budgets[i % 3].reserve('sweden', limit, { slot: { holder: `r${i % 3}:${i}`, ttlMs: 300 } })));
  const won = asks.flatMap((r, i) => (r.ok ? [`r${i % 3}:${i}`] : []));
  assert.equal(won.length, 2);
  assert.ok(asks.every((r) => r.ok || (r.reason === 'concurrency' && r.waitMs > 0)), JSON.stringify(asks));
  // One attempt ends: its slot is free for any replica at once.
  await budgets[0].releaseSlot('sweden', won[0]);
  assert.ok((await budgets[2].reserve('sweden', limit, { slot: { holder: 'r2:new', ttlMs: 300 } })).ok);
  assert.equal((await budgets[1].reserve('sweden', limit, { slot: { holder: 'r1:new', ttlMs: 300 } })).ok, false);
  // won[1]'s replica is gone (nobody renews it); r2:new is renewed: after the ttl one slot is free again.
  for (let i = 0; i < 4; i += 1) {
    await sleep(100);
    await budgets[2].renewSlots('sweden', ['r2:new'], 300);
  }
  assert.ok((await budgets[1].reserve('sweden', limit, { slot: { holder: 'r1:late', ttlMs: 300 } })).ok, 'the dead holder\'s slot lapsed');
  assert.equal((await budgets[0].reserve('sweden', limit, { slot: { holder: 'r0:late', ttlMs: 300 } })).ok, false, 'the renewed slot still counts');
  // Without a slot asked (no concurrency configured) nothing is counted.
  assert.ok((await budgets[0].reserve('sweden', { requests: 0, windowMs: 0, marginMs: 0 })).ok);
});
