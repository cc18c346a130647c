// A restart after a crash between a terminal event and its record's save (two writes, the event
// first): the log is the truth, so the job is finished from it and never run again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from './engine.js';
import type { JobRecord } from './job.js';
import { MemoryEventLog, MemoryIdempotencyStore, MemoryJobStore } from '../store/memory/memory-store.js';
import { DiskBlobStore } from '../store/disk/disk-blob-store.js';
import type { Router } from '../routing/router.js';
import { ManualClock } from '../time/manual-clock.js';
import { createSeededRandom } from '../time/random.js';

const noRoute: Router = {
  acquire: async () => { throw new Error('no job should run'); },
  hasUntried: () => false,
  close: async () => {},
};

test('engine.start: a running record whose log ends in job.completed is finished from the log, not resumed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-engine-restart-'));
  const blobs = new DiskBlobStore({ root: dir });
  const jobs = new MemoryJobStore();
  const events = new MemoryEventLog();
  const clock = new ManualClock();
  const engine = new Engine({
    clock, random: createSeededRandom(1), ids: { next: (prefix: string) => `${prefix}_1` },
    log: { info: () => {}, warn: () => {}, error: () => {} },
    jobs, events, idempotency: new MemoryIdempotencyStore(), blobs, router: noRoute,
    adapterFor: () => { throw new Error('no upstream call is expected'); },
    deployments: new Map(),
  }, { retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100 }, defaultDeadlineMs: 60_000, retentionMs: 60_000 });
  t.after(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const running: JobRecord = {
    id: 'job_done', ownerKeyHash: 'owner', status: 'running', createdAt: 0, updatedAt: 0, deadlineAt: 60_000,
    request: { endpoint: 'generations', model: 'gpt-image-1', fields: { prompt: 'a boat' }, files: [], stream: false, partialImages: 0 },
    attempts: [{ attempt: 1, deploymentId: 'd', mode: 'non_stream', startedAt: 0, endedAt: 5, outcome: 'succeeded', upstreamIds: {} }],
  };
  await jobs.create(running);
  await events.append('job_done', { type: 'job.queued' }, 0);
  await events.append('job_done', { type: 'attempt.started', attempt: 1, deploymentId: 'd', mode: 'non_stream' }, 1);
  await events.append('job_done', { type: 'attempt.succeeded', attempt: 1, deploymentId: 'd', upstreamIds: {} }, 5);
  const response = { created: 1, data: [{ revised_prompt: 'a boat' }], output_format: 'png' as const };
  await events.append('job_done', { type: 'job.completed', response, images: [null] }, 6);

  assert.equal(await engine.start(), 0, 'nothing resumed');
  const job = await jobs.get('job_done');
  assert.equal(job?.status, 'succeeded');
  assert.equal(job?.updatedAt, 6);
  assert.deepEqual(job?.result, response);
  assert.equal(await events.lastSeq('job_done'), 4, 'no event appended');
  assert.equal(engine.inFlight, 0);
});
