// Runs the store contract suites on Redis (REDIS_URL or 127.0.0.1:6379, a unique prefix per case,
// keys deleted after), plus what only a shared store shows: several connections (replicas)
// claiming one key, a follower on one connection seeing appends from another, fencing guards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeJobStore, sampleJob } from '../job-store.contract.js';
import type { JobEvent } from '../job-record.js';
import { deleteRedisPrefix, testRedisUrl, useRedisPrefix } from '../../../test/helpers/redis-prefix.js';
import { openRedisStore, type RedisStore } from './open-redis-store.js';
import { describeKeyStore } from '../key-store.contract.js';
import { describeUsageLedger } from '../usage-ledger.contract.js';

const url = testRedisUrl();

async function contractStore(): Promise<RedisStore & { cleanup(): Promise<void> }> {
  const prefix = `holdfast-test:contract-${process.pid}-${Math.floor(Math.random() * 1e9)}:`;
  const store = await openRedisStore({ url, prefix });
  return {
    ...store,
    cleanup: async () => {
      await store.close();
      await deleteRedisPrefix(url, prefix);
    },
  };
}

describeJobStore('redis', contractStore);
describeKeyStore('redis', async () => {
  const { clientKeys, cleanup } = await contractStore();
  return { keys: clientKeys, cleanup };
});
describeUsageLedger('redis', contractStore);

async function replicas(t: Parameters<typeof useRedisPrefix>[0], n: number): Promise<RedisStore[]> {
  const prefix = useRedisPrefix(t, url);
  const stores = await Promise.all(Array.from({ length: n }, () => openRedisStore({ url, prefix })));
  t.after(() => Promise.all(stores.map((s) => s.close())).then(() => undefined));
  return stores;
}

test('20 replicas claiming one Idempotency-Key at the same moment make exactly one winner', async (t) => {
  const stores = await replicas(t, 20);
  const results = await Promise.all(stores.map((s, i) => s.idempotency.claim(
    { scope: 'owner', key: 'same-key', requestHash: 'h', jobId: `job_${i}`, expiresAt: 60_000 }, 1_000)));
  const winners = results.filter((r) => r.claimed);
  assert.equal(winners.length, 1);
  const losers = results.flatMap((r) => (r.claimed ? [] : [r.existing.jobId]));
  assert.equal(new Set(losers).size, 1, 'every loser sees the same winning job');
});

test('a job created on one replica is read, listed and finished on another', async (t) => {
  const [a, b] = await replicas(t, 2);
  await a.jobs.create(sampleJob('job_x'));
  assert.deepEqual(await b.jobs.get('job_x'), sampleJob('job_x'));
  assert.deepEqual((await b.jobs.listUnfinished()).map((j) => j.id), ['job_x']);
  await b.jobs.save(sampleJob('job_x', { status: 'succeeded', updatedAt: 2_000 }));
  assert.deepEqual(await a.jobs.listUnfinished(), []);
  assert.deepEqual(await a.jobs.listFinishedBefore(3_000, 10), ['job_x']);
  await assert.rejects(b.jobs.create(sampleJob('job_x')), /exists/);
});

test('a follower on one replica gets the events another replica appends, live and in order', async (t) => {
  const [writer, reader] = await replicas(t, 2);
  await writer.events.append('job_f', { type: 'job.queued' }, 1);
  await writer.events.append('job_f', { type: 'attempt.started', attempt: 1, deploymentId: 'east', mode: 'stream' }, 2);
  const controller = new AbortController();
  t.after(() => controller.abort());
  const seen: JobEvent[] = [];
  const following = (async () => {
    for await (const event of reader.events.follow('job_f', 1, controller.signal)) {
      seen.push(event);
      if (event.type === 'job.cancelled') return;
    }
  })();
  // A second follower on other streams shares the one blocking connection and must not stall this one.
  const other = reader.events.follow('job_other', 0, controller.signal)[Symbol.asyncIterator]().next();
  for (let i = 0; i < 5; i += 1) {
    await writer.events.append('job_f', {
      type: 'image.partial', attempt: 1, deploymentId: 'east', forward: true,
      payload: { type: 'image_generation.partial_image', partial_image_index: i, b64_json: `p${i}` },
    }, 10 + i);
  }
  await writer.events.append('job_f', { type: 'job.cancelled' }, 20);
  await following;
  assert.deepEqual(seen.map((e) => e.seq), [2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual(seen.map((e) => e.type), ['attempt.started', ...Array(5).fill('image.partial'), 'job.cancelled']);
  await writer.events.append('job_other', { type: 'job.queued' }, 30);
  assert.equal((await other).value?.seq, 1);
});

test('ten followers of one job on one replica each see every event once, in order', async (t) => {
  const [writer, reader] = await replicas(t, 2);
  const controller = new AbortController();
  t.after(() => controller.abort());
  const runs = Array.from({ length: 10 }, async () => {
    const seqs: number[] = [];
    for await (const event of reader.events.follow('job_m', 0, controller.signal)) {
      seqs.push(event.seq);
      if (event.type === 'job.cancelled') break;
    }
    return seqs;
  });
  for (let i = 0; i < 20; i += 1) await writer.events.append('job_m', { type: 'job.queued' }, i);
  await writer.events.append('job_m', { type: 'job.cancelled' }, 99);
  for (const seqs of await Promise.all(runs)) assert.deepEqual(seqs, Array.from({ length: 21 }, (_, i) => i + 1));
});

test('a guarded append succeeds while the guard key holds the token and is refused after', async (t) => {
  const [store] = await replicas(t, 1);
  const guardKey = `${store.keys.prefix}lease:job_g`;
  await store.redis.set(guardKey, 'token-1');
  const first = await store.events.appendGuarded('job_g', { type: 'job.queued' }, 1, { key: guardKey, value: 'token-1' });
  assert.equal(first?.seq, 1);
  await store.redis.set(guardKey, 'token-2');
  assert.equal(await store.events.appendGuarded('job_g', { type: 'job.cancelled' }, 2, { key: guardKey, value: 'token-1' }), undefined);
  assert.equal(await store.events.lastSeq('job_g'), 1);
});

test('a guarded append with the job record writes both in one step, and a fenced one writes neither', async (t) => {
  const [store, other] = await replicas(t, 2);
  const guardKey = `${store.keys.prefix}owner:job_r`;
  await store.redis.set(guardKey, 'token-1');
  const job = sampleJob('job_r', { status: 'queued', webhookUrl: 'https://hooks.example/x', webhookPending: true });
  await store.jobs.create(job);
  const running = { ...job, status: 'running' as const, updatedAt: job.updatedAt + 1 };
  const first = await store.events.appendGuarded('job_r', { type: 'job.queued' }, 1, { key: guardKey, value: 'token-1' }, running);
  assert.equal(first?.seq, 1);
  assert.deepEqual(await other.jobs.get('job_r'), running, 'another replica reads the record the event led to');
  // Finished with the webhook pending: the indexes follow the record (the webhook-claim scan finds it).
  const done = { ...running, status: 'succeeded' as const, updatedAt: running.updatedAt + 1 };
  await store.events.appendGuarded('job_r', { type: 'job.queued' }, 2, { key: guardKey, value: 'token-1' }, done);
  assert.deepEqual((await other.jobs.listWebhookPending(10)).map((j) => j.id), ['job_r']);
  assert.deepEqual(await other.jobs.listUnfinished(), []);
  // Taken over: the stale owner's append and record both stay out.
  await store.redis.set(guardKey, 'token-2');
  const stale = { ...done, status: 'failed' as const, updatedAt: done.updatedAt + 1 };
  assert.equal(await store.events.appendGuarded('job_r', { type: 'job.queued' }, 3, { key: guardKey, value: 'token-1' }, stale), undefined);
  assert.equal(await store.events.lastSeq('job_r'), 2);
  assert.equal((await other.jobs.get('job_r'))?.status, 'succeeded');
});
