import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ManualClock } from '../time/manual-clock.js';
import { MemoryEventLog, MemoryIdempotencyStore, MemoryJobStore } from '../store/memory/memory-store.js';
import { DiskBlobStore } from '../store/disk/disk-blob-store.js';
import type { JobRecord } from './job.js';
import { createRetention } from './retention.js';

const job = (id: string, status: JobRecord['status'], updatedAt: number): JobRecord => ({
  id, ownerKeyHash: '', status, createdAt: 0, updatedAt, deadlineAt: 1e12, attempts: [],
  request: { endpoint: 'generations', model: 'm', fields: {}, files: [], stream: false, partialImages: 0 },
});

test('a finished job past its retention goes with its events and blobs, at start and on every interval', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'holdfast-retention-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const clock = new ManualClock(10_000);
  const deps = {
    clock, log: { info() {}, warn() {}, error() {} },
    jobs: new MemoryJobStore(), events: new MemoryEventLog(), idempotency: new MemoryIdempotencyStore(), blobs: new DiskBlobStore({ root }),
  };
  await deps.jobs.create(job('old', 'succeeded', 1_000));
  await deps.jobs.create(job('running', 'running', 1_000));
  await deps.jobs.create(job('later', 'failed', 9_000));
  await deps.events.append('old', { type: 'job.queued' }, 1_000);
  await deps.blobs.put('jobs/old/images/0.png', Readable.from([Buffer.from('png')]));
  const retention = createRetention(deps, { retentionMs: 5_000, purgeIntervalMs: 1_000 });
  t.after(() => retention.close());

  await retention.start();
  assert.equal(await deps.jobs.get('old'), undefined);
  assert.deepEqual(await deps.events.read('old', 0), []);
  assert.equal(await deps.blobs.open('jobs/old/images/0.png'), undefined);
  assert.ok(await deps.jobs.get('running'), 'an unfinished job stays');
  assert.ok(await deps.jobs.get('later'), 'a job inside its retention stays');

  await clock.advanceBy(3_000, { stepMs: 1_000 });
  assert.ok(await deps.jobs.get('later'), 'still inside its retention at 13 s');
  // Each interval's purge runs on real disk I/O, and the next interval is armed only once it ended:
  // advance, give the I/O real time, until one has taken it (bounded by 20 s of real time, not by a
  // count of advances that a slow disk on a loaded machine could outrun).
  const giveUpAt = performance.now() + 20_000;
  while ((await deps.jobs.get('later')) !== undefined && performance.now() < giveUpAt) {
    await clock.advanceBy(1_000);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.equal(await deps.jobs.get('later'), undefined, 'an interval purge took it once it aged out');
});
