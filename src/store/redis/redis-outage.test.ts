// Redis trouble at the store level, on a private redis-server: while it is down or paused every
// call fails fast with StoreUnavailableError (no hang), ping() says so, and the same store object
// serves again by itself once Redis is back. Also shows what a restart without AOF loses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleJob } from '../job-store.contract.js';
import { StoreUnavailableError } from '../store-unavailable-error.js';
import { startPrivateRedis } from '../../../test/helpers/redis-server.js';
import { openRedisStore, type RedisStore } from './open-redis-store.js';
import type { JobEvent } from '../job-record.js';

/** Retries until ping resolves (every 20 ms, at most timeoutMs); returns how long it took. */
async function untilReady(store: RedisStore, timeoutMs = 10_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      await store.ping();
      return Date.now() - started;
    } catch (error) {
      assert.ok(error instanceof StoreUnavailableError, String(error));
      if (Date.now() - started > timeoutMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

async function failsFast(what: string, run: () => Promise<unknown>, withinMs: number): Promise<StoreUnavailableError> {
  const started = Date.now();
  const error = await run().then(() => undefined, (e: unknown) => e);
  const tookMs = Date.now() - started;
  assert.ok(error instanceof StoreUnavailableError, `${what}: ${String(error)}`);
  assert.ok(tookMs < withinMs, `${what} took ${tookMs} ms`);
  return error;
}

test('while Redis is down every store call fails fast with StoreUnavailableError, and the store recovers by itself', async (t) => {
  const redis = await startPrivateRedis(t, { aof: true });
  const store = await openRedisStore({ url: redis.url, prefix: 'outage:' });
  t.after(() => store.close());
  await store.jobs.create(sampleJob('job_a'));
  await store.events.append('job_a', { type: 'job.queued' }, 1);

  await redis.stop();
  const error = await failsFast('get', () => store.jobs.get('job_a'), 1000);
  assert.match(error.message, new RegExp(`Redis at 127\\.0\\.0\\.1:${redis.port}`));
  await failsFast('ping', () => store.ping(), 1000);
  await failsFast('append', () => store.events.append('job_a', { type: 'job.cancelled' }, 2), 1000);
  await failsFast('claim', () => store.idempotency.claim({ scope: 's', key: 'k', requestHash: 'h', jobId: 'job_a', expiresAt: 10 }, 0), 1000);
  await failsFast('listUnfinished', () => store.jobs.listUnfinished(), 1000);

  await redis.start();
  const recoveredMs = await untilReady(store);
  assert.ok(recoveredMs < 3000, `ping answered again after ${recoveredMs} ms`);
  // AOF with fsync always: what was acknowledged before the restart is still there.
  assert.deepEqual(await store.jobs.get('job_a'), sampleJob('job_a'));
  assert.equal((await store.events.append('job_a', { type: 'job.cancelled' }, 3)).seq, 2);
});

test('a paused Redis (connection open, no answers) makes calls fail after the command timeout, not hang', async (t) => {
  const redis = await startPrivateRedis(t);
  const store = await openRedisStore({ url: redis.url, prefix: 'paused:', commandTimeoutMs: 300 });
  t.after(() => store.close());
  await store.jobs.create(sampleJob('job_p'));
  redis.pause();
  const error = await failsFast('get on a paused server', () => store.jobs.get('job_p'), 2000);
  assert.match(error.message, /timed out/i);
  redis.resume();
  await untilReady(store);
  assert.equal((await store.jobs.get('job_p'))?.id, 'job_p');
});

test('a follower keeps its place through a Redis restart and gets the events appended after it', async (t) => {
  const redis = await startPrivateRedis(t, { aof: true });
  const writer = await openRedisStore({ url: redis.url, prefix: 'follow:' });
  const reader = await openRedisStore({ url: redis.url, prefix: 'follow:', followBlockMs: 500 });
  t.after(() => Promise.all([writer.close(), reader.close()]).then(() => undefined));
  await writer.events.append('job_f', { type: 'job.queued' }, 1);
  const controller = new AbortController();
  t.after(() => controller.abort());
  const seen: JobEvent[] = [];
  let onEvent: (() => void) | undefined;
  const following = (async () => {
    for await (const event of reader.events.follow('job_f', 0, controller.signal)) {
      seen.push(event);
      onEvent?.();
      if (event.type === 'job.cancelled') return;
    }
  })();
  while (seen.length < 1) await new Promise<void>((resolve) => { onEvent = resolve; });

  await redis.stop();
  await redis.start();
  await untilReady(writer);
  await writer.events.append('job_f', { type: 'attempt.started', attempt: 1, deploymentId: 'east', mode: 'stream' }, 2);
  await writer.events.append('job_f', { type: 'job.cancelled' }, 3);
  await following;
  assert.deepEqual(seen.map((e) => [e.seq, e.type]), [[1, 'job.queued'], [2, 'attempt.started'], [3, 'job.cancelled']]);
});

test('without AOF a Redis restart loses every job and event: what the docs warn about', async (t) => {
  const redis = await startPrivateRedis(t, { aof: false });
  const store = await openRedisStore({ url: redis.url, prefix: 'volatile:' });
  t.after(() => store.close());
  await store.jobs.create(sampleJob('job_v'));
  await store.events.append('job_v', { type: 'job.queued' }, 1);
  await redis.stop();
  await redis.start();
  await untilReady(store);
  assert.equal(await store.jobs.get('job_v'), undefined);
  assert.equal(await store.events.lastSeq('job_v'), 0);
});

test('opening a store on an unreachable Redis fails with StoreUnavailableError naming the address, not the password', async (t) => {
  const redis = await startPrivateRedis(t);
  await redis.stop();
  const error = await openRedisStore({ url: `redis://:hunter2-secret@127.0.0.1:${redis.port}`, connectTimeoutMs: 500 })
    .then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof StoreUnavailableError, String(error));
  assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${redis.port} is unreachable`));
  assert.doesNotMatch(error.message, /hunter2/);
});
