// Contract suite for JobStore, EventLog and IdempotencyStore: the same cases run on every backend
// (hono's router/common.case.test.ts pattern). Each case gets fresh stores and cleans them up.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobRecord, JobStatus } from './job-record.js';
import type { IdempotencyEntry } from './job-store.js';
import { describeEventCases } from './event-log.contract.js';
import { openFresh as open, type MakeStores } from './fixture.contract.js';

export type { MakeStores, StoreSet } from './fixture.contract.js';

/** A complete record with nested attempts and a result, so round trips are checked in depth. */
export function sampleJob(id: string, overrides: Partial<JobRecord> = {}): JobRecord {
  return {
    id,
    ownerKeyHash: 'owner-1',
    status: 'queued',
    createdAt: 1_000,
    updatedAt: 1_000,
    deadlineAt: 601_000,
    request: {
      endpoint: 'generations', model: 'gpt-image-1', files: [], stream: true, partialImages: 2,
      fields: { prompt: 'a lighthouse', size: '1024x1024', n: 1 },
    },
    attempts: [],
    ...overrides,
  };
}


export function describeJobStore(name: string, makeStores: MakeStores): void {
  describe(`${name}: JobStore`, () => describeJobCases(makeStores));
  describe(`${name}: EventLog`, () => describeEventCases(makeStores));
  describe(`${name}: IdempotencyStore`, () => describeIdempotencyCases(makeStores));
}

function finished(id: string, status: JobStatus, updatedAt: number): JobRecord {
  return sampleJob(id, { status, updatedAt });
}

function describeJobCases(makeStores: MakeStores): void {
  test('a created job reads back equal, and so does a saved one with attempts and a result', async (t) => {
    const { jobs } = await open(t, makeStores);
    const job = sampleJob('job_a', { idempotencyKey: 'k1', webhookUrl: 'https://hooks.example/x' });
    await jobs.create(job);
    assert.deepEqual(await jobs.get('job_a'), job);
    const done: JobRecord = {
      ...job,
      status: 'succeeded',
      updatedAt: 5_000,
      attempts: [
        { attempt: 1, deploymentId: 'east', mode: 'stream', startedAt: 1_100, endedAt: 2_000, outcome: 'server_error', status: 500, upstreamIds: { 'x-request-id': 'r1' } },
        { attempt: 2, deploymentId: 'west', mode: 'stream', startedAt: 2_500, endedAt: 5_000, outcome: 'succeeded', upstreamIds: {} },
      ],
      result: { created: 5, data: [{ b64_json: 'aGVsbG8=', revised_prompt: 'a lighthouse at dusk' }], size: '1024x1024' },
    };
    await jobs.save(done);
    assert.deepEqual(await jobs.get('job_a'), done);
  });

  test('a returned record is a copy: mutating it changes nothing stored', async (t) => {
    const { jobs } = await open(t, makeStores);
    await jobs.create(sampleJob('job_a'));
    const got = await jobs.get('job_a');
    assert.ok(got);
    got.status = 'failed';
    got.attempts.push({ attempt: 1, deploymentId: 'x', mode: 'stream', startedAt: 1, upstreamIds: {} });
    assert.deepEqual(await jobs.get('job_a'), sampleJob('job_a'));
  });

  test('an unknown id reads as undefined', async (t) => {
    const { jobs } = await open(t, makeStores);
    assert.equal(await jobs.get('job_missing'), undefined);
  });

  test('creating the same id twice throws and keeps the first record', async (t) => {
    const { jobs } = await open(t, makeStores);
    await jobs.create(sampleJob('job_a'));
    await assert.rejects(jobs.create(sampleJob('job_a', { ownerKeyHash: 'other' })));
    assert.equal((await jobs.get('job_a'))?.ownerKeyHash, 'owner-1');
  });

  test('listUnfinished returns queued and running jobs only, oldest first', async (t) => {
    const { jobs } = await open(t, makeStores);
    await jobs.create(sampleJob('job_late', { createdAt: 3_000, status: 'running' }));
    await jobs.create(finished('job_done', 'succeeded', 2_000));
    await jobs.create(sampleJob('job_early', { createdAt: 1_000 }));
    await jobs.create(finished('job_failed', 'failed', 2_000));
    await jobs.create(sampleJob('job_mid', { createdAt: 2_000 }));
    await jobs.create(finished('job_cancelled', 'cancelled', 2_000));
    const ids = (await jobs.listUnfinished()).map((j) => j.id);
    assert.deepEqual(ids, ['job_early', 'job_mid', 'job_late']);
    await jobs.save({ ...sampleJob('job_mid', { createdAt: 2_000 }), status: 'succeeded' });
    assert.deepEqual((await jobs.listUnfinished()).map((j) => j.id), ['job_early', 'job_late']);
  });

  test('listFinishedBefore lists finished jobs older than the cutoff, oldest first, and delete removes one', async (t) => {
    const { jobs } = await open(t, makeStores);
    await jobs.create(finished('job_old_failed', 'failed', 1_500));
    await jobs.create(finished('job_old_ok', 'succeeded', 1_000));
    await jobs.create(finished('job_old_cancelled', 'cancelled', 1_999));
    await jobs.create(finished('job_at_cutoff', 'succeeded', 2_000));
    await jobs.create(sampleJob('job_old_running', { status: 'running', updatedAt: 10 }));
    assert.deepEqual(await jobs.listFinishedBefore(2_000, 10), ['job_old_ok', 'job_old_failed', 'job_old_cancelled']);
    assert.deepEqual(await jobs.listFinishedBefore(2_000, 2), ['job_old_ok', 'job_old_failed']);
    await jobs.delete('job_old_ok');
    await jobs.delete('job_never_was');
    assert.equal(await jobs.get('job_old_ok'), undefined);
    assert.deepEqual(await jobs.listFinishedBefore(2_000, 10), ['job_old_failed', 'job_old_cancelled']);
  });

  test('listWebhookPending lists finished jobs whose webhook is still pending, oldest first', async (t) => {
    const { jobs } = await open(t, makeStores);
    await jobs.create(finished('job_done_later', 'failed', 3_000));
    await jobs.save({ ...finished('job_done_later', 'failed', 3_000), webhookPending: true });
    await jobs.create({ ...finished('job_done', 'succeeded', 2_000), webhookPending: true });
    await jobs.create({ ...finished('job_delivered', 'succeeded', 1_000), webhookPending: false });
    await jobs.create(sampleJob('job_still_running', { status: 'running', webhookPending: true }));
    assert.deepEqual((await jobs.listWebhookPending(10)).map((j) => j.id), ['job_done', 'job_done_later']);
    assert.deepEqual((await jobs.listWebhookPending(1)).map((j) => j.id), ['job_done']);
  });

  test('ping resolves while the store is open', async (t) => {
    const { jobs } = await open(t, makeStores);
    await jobs.ping();
  });
}

function describeIdempotencyCases(makeStores: MakeStores): void {
  const entry = (over: Partial<IdempotencyEntry> = {}): IdempotencyEntry => ({
    scope: 'owner-1', key: 'key-1', requestHash: 'h1', jobId: 'job_a', expiresAt: 10_000, ...over,
  });

  test('the first claim wins; a second claim sees the existing entry', async (t) => {
    const { idempotency } = await open(t, makeStores);
    assert.deepEqual(await idempotency.claim(entry(), 1_000), { claimed: true });
    const second = await idempotency.claim(entry({ jobId: 'job_b', requestHash: 'h2' }), 2_000);
    assert.deepEqual(second, { claimed: false, existing: entry() });
  });

  test('20 claims of one key at once: exactly one wins, and every other one sees the winner', async (t) => {
    const { idempotency } = await open(t, makeStores);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => idempotency.claim(entry({ jobId: `job_${i}`, requestHash: `h${i}` }), 1_000)));
    const winners = results.flatMap((r, i) => (r.claimed ? [i] : []));
    assert.equal(winners.length, 1, `winners: ${winners.join(',')}`);
    const winner = entry({ jobId: `job_${winners[0]}`, requestHash: `h${winners[0]}` });
    for (const r of results) if (!r.claimed) assert.deepEqual(r.existing, winner);
    assert.deepEqual(await idempotency.claim(entry({ jobId: 'job_late' }), 1_000), { claimed: false, existing: winner });
  });

  test('20 claims of an expired key at once: exactly one takes it over', async (t) => {
    const { idempotency } = await open(t, makeStores);
    await idempotency.claim(entry({ jobId: 'job_old', expiresAt: 5_000 }), 1_000);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => idempotency.claim(entry({ jobId: `job_${i}`, expiresAt: 50_000 }), 6_000)));
    assert.equal(results.filter((r) => r.claimed).length, 1);
    for (const r of results) if (!r.claimed) assert.notEqual(r.existing.jobId, 'job_old');
  });

  test('20 claims of 20 keys at once all win', async (t) => {
    const { idempotency } = await open(t, makeStores);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => idempotency.claim(entry({ key: `key-${i}`, jobId: `job_${i}` }), 1_000)));
    assert.equal(results.filter((r) => r.claimed).length, 20);
  });

  test('the same key in another scope is a separate claim', async (t) => {
    const { idempotency } = await open(t, makeStores);
    await idempotency.claim(entry(), 1_000);
    assert.deepEqual(await idempotency.claim(entry({ scope: 'owner-2', jobId: 'job_b' }), 1_000), { claimed: true });
  });

  test('an expired entry can be claimed again', async (t) => {
    const { idempotency } = await open(t, makeStores);
    await idempotency.claim(entry(), 1_000);
    assert.equal((await idempotency.claim(entry({ jobId: 'job_b' }), 9_999)).claimed, false);
    assert.deepEqual(await idempotency.claim(entry({ jobId: 'job_b', expiresAt: 20_000 }), 10_000), { claimed: true });
    const third = await idempotency.claim(entry({ jobId: 'job_c' }), 10_001);
    assert.deepEqual(third, { claimed: false, existing: entry({ jobId: 'job_b', expiresAt: 20_000 }) });
  });

  test('release drops the entry only when it points at the given job', async (t) => {
    const { idempotency } = await open(t, makeStores);
    await idempotency.claim(entry(), 1_000);
    await idempotency.release('owner-1', 'key-1', 'job_other');
    assert.equal((await idempotency.claim(entry({ jobId: 'job_b' }), 1_000)).claimed, false);
    await idempotency.release('owner-1', 'key-1', 'job_a');
    assert.deepEqual(await idempotency.claim(entry({ jobId: 'job_b' }), 1_000), { claimed: true });
  });

  test('purgeExpired removes expired entries only and counts them', async (t) => {
    const { idempotency } = await open(t, makeStores);
    await idempotency.claim(entry({ key: 'a', expiresAt: 1_000 }), 0);
    await idempotency.claim(entry({ key: 'b', expiresAt: 2_000 }), 0);
    await idempotency.claim(entry({ key: 'c', expiresAt: 3_000 }), 0);
    assert.equal(await idempotency.purgeExpired(2_000), 2);
    assert.equal(await idempotency.purgeExpired(2_000), 0);
    assert.equal((await idempotency.claim(entry({ key: 'c', jobId: 'job_z' }), 0)).claimed, false);
  });
}
