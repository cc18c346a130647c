// One process owns a SQLite store, checked with real processes: a second opener is refused with
// the holder's pid, host and start time; a clean close or a kill -9 of the holder frees the store.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { sampleJob } from '../job-store.contract.js';
import { openSqliteStore } from './open-sqlite-store.js';
import { StoreLockedError } from './sqlite-owner-lock.js';

const storeModule = pathToFileURL(join(import.meta.dirname, 'open-sqlite-store.ts')).href;

// The holder: opens the store, creates a job, says "held"; on "close" closes and says "closed".
const holderSource = `
import { createInterface } from 'node:readline';
import { openSqliteStore } from ${JSON.stringify(storeModule)};
const store = openSqliteStore({ path: process.argv[2] });
await store.jobs.create(JSON.parse(process.argv[3]));
process.stdout.write('held\\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'close') { await store.close(); process.stdout.write('closed\\n'); }
}
`;

interface Holder {
  child: ChildProcess;
  lines: AsyncIterator<string>;
  startedBefore: number;
}

async function startHolder(t: TestContext, dir: string, dbPath: string): Promise<Holder> {
  const script = join(dir, 'holder.mts');
  writeFileSync(script, holderSource);
  const startedBefore = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', script, dbPath, JSON.stringify(sampleJob('job_held', { status: 'running' }))], {
    cwd: process.cwd(), stdio: ['pipe', 'pipe', 'inherit'],
  });
  t.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  const reader: Interface = createInterface({ input: child.stdout! });
  const lines = reader[Symbol.asyncIterator]();
  assert.equal((await lines.next()).value, 'held');
  return { child, lines, startedBefore };
}

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-owner-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a second process on the same SQLite store is refused with the holder\'s pid, host and start time', async (t) => {
  const dir = tempDir(t);
  const dbPath = join(dir, 'data', 'holdfast.db');
  const holder = await startHolder(t, dir, dbPath);
  const files = [dbPath, `${dbPath}-wal`];
  const before = files.map((f) => readFileSync(f));

  let refused: unknown;
  try {
    openSqliteStore({ path: dbPath });
  } catch (error) {
    refused = error;
  }
  assert.ok(refused instanceof StoreLockedError, String(refused));
  assert.equal(refused.owner?.pid, holder.child.pid);
  assert.equal(refused.owner?.host, hostname());
  const since = Date.parse(refused.owner?.since ?? '');
  assert.ok(since >= holder.startedBefore - 1000 && since <= Date.now(), refused.owner?.since);
  assert.match(refused.message, new RegExp(`in use by process ${holder.child.pid} on ${hostname()} \\(since `));
  assert.match(refused.message, /store\.kind redis/);
  // The refused opener wrote nothing: the database and its WAL are byte for byte the same.
  assert.deepEqual(files.map((f) => readFileSync(f)), before);
});

test('after the holder closes the store, another process opens it and sees the holder\'s job', async (t) => {
  const dir = tempDir(t);
  const dbPath = join(dir, 'holdfast.db');
  const holder = await startHolder(t, dir, dbPath);
  assert.throws(() => openSqliteStore({ path: dbPath }), StoreLockedError);
  holder.child.stdin!.write('close\n');
  assert.equal((await holder.lines.next()).value, 'closed');
  const store = openSqliteStore({ path: dbPath });
  t.after(() => store.close());
  assert.equal((await store.jobs.get('job_held'))?.status, 'running');
});

test('a holder killed with SIGKILL leaves no lock that blocks the next process', async (t) => {
  const dir = tempDir(t);
  const dbPath = join(dir, 'holdfast.db');
  const holder = await startHolder(t, dir, dbPath);
  const exited = once(holder.child, 'exit');
  holder.child.kill('SIGKILL');
  await exited;
  const store = openSqliteStore({ path: dbPath });
  t.after(() => store.close());
  assert.equal((await store.jobs.get('job_held'))?.id, 'job_held');
  // The new owner is named now, so a third opener is told about this process.
  const third = (() => {
    try {
      openSqliteStore({ path: dbPath });
      return undefined;
    } catch (error) {
      return error;
    }
  })();
  assert.ok(third instanceof StoreLockedError);
  assert.equal(third.owner?.pid, process.pid);
});
