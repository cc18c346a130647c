// Runs the store contract suites on SQLite in a temp dir, plus what only a file database shows:
// reopening keeps data, the schema version, and nothing acknowledged is lost to SIGKILL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describeJobStore, sampleJob } from '../job-store.contract.js';
import { openSqliteStore } from './open-sqlite-store.js';
import { migrations } from './migrations.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'holdfast-sqlite-'));
}

describeJobStore('sqlite', async () => {
  const dir = tempDir();
  const store = openSqliteStore({ path: join(dir, 'holdfast.db') });
  return {
    ...store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

test('opening creates the directory, and a reopened database keeps jobs, events and claims', async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'nested', 'deeper', 'holdfast.db');
  const first = openSqliteStore({ path });
  await first.jobs.create(sampleJob('job_a'));
  await first.events.append('job_a', { type: 'job.queued' }, 5);
  await first.idempotency.claim({ scope: 's', key: 'k', requestHash: 'h', jobId: 'job_a', expiresAt: 100 }, 0);
  await first.close();
  await first.close();
  assert.ok(existsSync(path));

  const second = openSqliteStore({ path });
  t.after(() => second.close());
  assert.deepEqual(await second.jobs.get('job_a'), sampleJob('job_a'));
  assert.equal((await second.events.append('job_a', { type: 'job.cancelled' }, 6)).seq, 2);
  assert.equal((await second.idempotency.claim({ scope: 's', key: 'k', requestHash: 'x', jobId: 'job_b', expiresAt: 100 }, 1)).claimed, false);
});

test('the database runs in WAL mode at the latest schema version', async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'holdfast.db');
  await openSqliteStore({ path }).close();
  const db = new Database(path, { readonly: true });
  t.after(() => db.close());
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('user_version', { simple: true }), migrations[migrations.length - 1].version);
});

test('closing every store on the database closes it; using one afterwards fails', async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const store = openSqliteStore({ path: join(dir, 'holdfast.db') });
  await store.jobs.ping();
  await store.jobs.close();
  await store.events.close();
  await store.idempotency.close();
  await store.keys.close();
  await store.usage.close();
  await assert.rejects(store.jobs.ping());
  await store.close();
});
