// Idempotency at the engine: 20 submits of one key at once, through stores that yield to the event
// loop between every call (as a networked store does), create one job that all 20 share.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from './engine.js';
import type { JobRecord } from './job.js';
import { MemoryEventLog, MemoryIdempotencyStore, MemoryJobStore } from '../store/memory/memory-store.js';
import { DiskBlobStore } from '../store/disk/disk-blob-store.js';
import { openSqliteStore } from '../store/sqlite/open-sqlite-store.js';
import type { IdempotencyStore, JobStore } from '../store/job-store.js';
import type { Router } from '../routing/router.js';
import { ManualClock } from '../time/manual-clock.js';
import { createSeededRandom } from '../time/random.js';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Wraps every method so that it yields before and after the real call, a varying number of turns. */
function yielding<T extends object>(inner: T, seed = 1): T {
  const random = createSeededRandom(seed);
  const turns = async (): Promise<void> => {
    for (let i = Math.floor(random.next() * 4); i >= 0; i--) await turn();
  };
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await turns();
        const result: unknown = await (value as (...a: unknown[]) => unknown).apply(target, args);
        await turns();
        return result;
      };
    },
  });
}

/** Holds every job in the queue until the test ends: only submit() is under test here. */
const parkedRouter: Router = {
  acquire: (_request, signal) => new Promise((resolve) => {
    signal.addEventListener('abort', () => resolve({ ok: false, reason: 'deadline', message: 'stopped' }), { once: true });
  }),
  hasUntried: () => false,
  close: async () => {},
};

let counter = 0;

async function submitTwenty(t: import('node:test').TestContext, jobs: JobStore, idempotency: IdempotencyStore): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-engine-'));
  const blobs = new DiskBlobStore({ root: dir });
  const clock = new ManualClock();
  const engine = new Engine({
    clock, random: createSeededRandom(1), ids: { next: (prefix: string) => `${prefix}_${(counter += 1)}` },
    log: { info: () => {}, warn: () => {}, error: () => {} },
    jobs: yielding(jobs, 2), events: yielding(new MemoryEventLog(), 3), idempotency: yielding(idempotency, 4), blobs, router: parkedRouter,
    adapterFor: () => { throw new Error('no upstream call is expected'); },
    deployments: new Map(),
  }, { retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100 }, defaultDeadlineMs: 60_000, retentionMs: 60_000 });
  t.after(async () => {
    await engine.close();
    await blobs.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const request = { endpoint: 'generations' as const, model: 'gpt-image-1', fields: { prompt: 'a boat' }, files: [], stream: false, partialImages: 0 };
  const results = await Promise.all(Array.from({ length: 20 }, () => engine.submit({
    request, ownerKeyHash: 'owner', idempotencyKey: 'boat-1', requestHash: 'h1',
  })));
  const ids = new Set(results.map((r) => r.job.id));
  assert.equal(ids.size, 1, `jobs created: ${[...ids].join(', ')}`);
  assert.equal(results.filter((r) => !r.attached).length, 1, 'one submit created the job, the others attached');
  const stored: JobRecord[] = await jobs.listUnfinished();
  assert.deepEqual(stored.map((j) => j.id), [...ids]);
  assert.equal(engine.inFlight, 1, 'one runner');
}

test('engine: 20 concurrent submits of one key through yielding memory stores make one job', async (t) => {
  await submitTwenty(t, new MemoryJobStore(), new MemoryIdempotencyStore());
});

test('engine: 20 concurrent submits of one key through yielding SQLite stores make one job', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-engine-sqlite-'));
  const store = openSqliteStore({ path: join(dir, 'holdfast.db') });
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await submitTwenty(t, store.jobs, store.idempotency);
});
