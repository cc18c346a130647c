// Group commit as another connection sees the file: the writes of one loop turn share one
// transaction; a write resolves only once it is committed; a read never sees an uncommitted write;
// a failing write fails alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sampleJob } from '../job-store.contract.js';
import { openSqliteStore } from './open-sqlite-store.js';

function setup(t: { after(fn: () => Promise<void> | void): void }): { store: ReturnType<typeof openSqliteStore>; other: Database.Database } {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-group-commit-'));
  const path = join(dir, 'holdfast.db');
  const store = openSqliteStore({ path });
  const other = new Database(path, { readonly: true });
  t.after(async () => {
    other.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { store, other };
}

const eventCount = (db: Database.Database, jobId: string): number =>
  (db.prepare('SELECT COUNT(*) AS n FROM events WHERE job_id = ?').get(jobId) as { n: number }).n;

test('appends of one turn are committed together, and each resolves only once committed', async (t) => {
  const { store, other } = setup(t);
  await store.jobs.create(sampleJob('job_g'));
  const appends = Array.from({ length: 50 }, (_, i) => store.events.append('job_g', { type: 'image.partial', attempt: 1, deploymentId: 'd', forward: false, payload: { partial_image_index: i } }, i));
  // Still the same turn: nothing of it is in the file yet.
  assert.equal(eventCount(other, 'job_g'), 0);
  const first = await appends[0];
  assert.equal(first.seq, 1);
  // The first append resolved: the whole turn's batch is committed, as another connection sees.
  assert.equal(eventCount(other, 'job_g'), 50);
  assert.deepEqual((await Promise.all(appends)).map((e) => e.seq), Array.from({ length: 50 }, (_, i) => i + 1));
});

test('a read issued while writes are pending sees them only once they are committed', async (t) => {
  const { store, other } = setup(t);
  await store.jobs.create(sampleJob('job_r'));
  const job = sampleJob('job_r', { status: 'succeeded' });
  const saved = store.jobs.save(job);
  const read = store.jobs.get('job_r');
  const seenBy = await read;
  assert.equal(seenBy?.status, 'succeeded');
  // What the read returned is in the file.
  assert.match((other.prepare('SELECT status FROM jobs WHERE id = ?').get('job_r') as { status: string }).status, /succeeded/);
  await saved;
});

test('a write that fails is refused alone; the others of its turn are committed', async (t) => {
  const { store, other } = setup(t);
  await store.jobs.create(sampleJob('job_dup'));
  const duplicate = store.jobs.create(sampleJob('job_dup'));
  const fresh = store.jobs.create(sampleJob('job_new'));
  await assert.rejects(duplicate);
  await fresh;
  assert.equal((other.prepare('SELECT COUNT(*) AS n FROM jobs').get() as { n: number }).n, 2);
});
