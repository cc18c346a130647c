// Crash safety of the SQLite store: a child process appends events and acknowledges each one on
// stdout; after SIGKILL the reopened database holds every acknowledged event, numbered 1..n.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { openSqliteStore } from './open-sqlite-store.js';

const storeModule = pathToFileURL(join(import.meta.dirname, 'open-sqlite-store.ts')).href;

// Written to a temp file so the child is a plain `node --import tsx child.mts`
// (.mts because the temp dir has no package.json saying "type": "module").
const childSource = `
import { openSqliteStore } from ${JSON.stringify(storeModule)};
const store = openSqliteStore({ path: process.argv[2] });
await store.jobs.create({ id: 'job_crash', ownerKeyHash: '', status: 'running', createdAt: 1, updatedAt: 1,
  deadlineAt: 2, request: { endpoint: 'generations', model: 'm', fields: {}, files: [], stream: true, partialImages: 3 },
  attempts: [] });
process.stdout.write('job\\n');
const b64 = 'A'.repeat(20000);
for (let i = 1; i <= 200000; i += 1) {
  const e = await store.events.append('job_crash', { type: 'image.partial', attempt: 1, deploymentId: 'd',
    forward: true, payload: { partial_image_index: i, b64_json: b64 } }, i);
  process.stdout.write('ack ' + e.seq + '\\n');
}
`;

test('every append acknowledged before SIGKILL is there after reopening, with no gap in seq', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-crash-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const childPath = join(dir, 'child.mts');
  const dbPath = join(dir, 'data', 'holdfast.db');
  writeFileSync(childPath, childSource);

  const child = spawn(process.execPath, ['--import', 'tsx', childPath, dbPath], {
    cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  const exited = once(child, 'exit');
  let jobCreated = false;
  let lastAck = 0;
  for await (const line of createInterface({ input: child.stdout })) {
    if (line === 'job') jobCreated = true;
    const match = /^ack (\d+)$/.exec(line);
    if (!match) continue;
    const seq = Number(match[1]);
    assert.equal(seq, lastAck + 1);
    lastAck = seq;
    if (seq === 300) child.kill('SIGKILL');
  }
  const [, signal] = await exited;
  assert.equal(signal, 'SIGKILL');
  assert.ok(jobCreated);
  assert.ok(lastAck >= 300);

  const store = openSqliteStore({ path: dbPath });
  t.after(() => store.close());
  assert.equal((await store.jobs.get('job_crash'))?.status, 'running');
  const stored = await store.events.read('job_crash', 0);
  assert.ok(stored.length >= lastAck, `${stored.length} stored, ${lastAck} acknowledged`);
  assert.deepEqual(stored.map((e) => e.seq), stored.map((_, i) => i + 1));
  assert.equal((await store.events.append('job_crash', { type: 'job.cancelled' }, 0)).seq, stored.length + 1);
});
