// Runs the BlobStore contract on DiskBlobStore in a temp dir, plus what only the disk shows:
// streamed writes reach the disk before the source ends, and keys cannot escape the root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describeBlobStore, generatedStream } from '../blob-store.contract.js';
import { DiskBlobStore } from './disk-blob-store.js';

function tempRoot(): string {
  return mkdtempSync(join(tmpdir(), 'holdfast-blobs-'));
}

describeBlobStore('disk', async () => {
  const root = tempRoot();
  return { blobs: new DiskBlobStore({ root }), cleanup: async () => rmSync(root, { recursive: true, force: true }) };
});

function bytesUnder(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => statSync(join(dir, name)))
    .filter((s) => s.isFile())
    .reduce((sum, s) => sum + s.size, 0);
}

test('a streamed put writes to disk as it reads, never holding the whole blob', async (t) => {
  const root = tempRoot();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const blobs = new DiskBlobStore({ root });
  const sizeBytes = 30 * 1024 * 1024;
  let onDiskAtHalf = -1;
  const source = generatedStream(sizeBytes, (produced) => {
    if (onDiskAtHalf < 0 && produced >= sizeBytes / 2) onDiskAtHalf = bytesUnder(root);
  });
  await blobs.put('jobs/job_a/upload', source);
  // Back-pressure: by the time half is produced, all but a few chunks are already written.
  assert.ok(onDiskAtHalf >= sizeBytes / 2 - 1024 * 1024, `only ${onDiskAtHalf} bytes on disk at half-way`);
  assert.equal(await blobs.usageBytes(), sizeBytes);
});

test('a failed stream leaves neither the blob nor a temp file behind', async (t) => {
  const root = tempRoot();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const blobs = new DiskBlobStore({ root });
  const failing = Readable.from((function* broken() {
    yield Buffer.alloc(1024);
    throw new Error('client went away');
  })());
  await assert.rejects(blobs.put('jobs/job_a/upload', failing), /client went away/);
  assert.equal(await blobs.read('jobs/job_a/upload'), undefined);
  assert.equal(bytesUnder(root), 0);
});

test('keys that could leave the root are refused', async (t) => {
  const root = tempRoot();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const blobs = new DiskBlobStore({ root: join(root, 'blobs') });
  for (const key of ['../escape', 'jobs/../../escape', '/etc/passwd', 'jobs//x', '', 'jobs/.tmp/x', 'a\\..\\b']) {
    await assert.rejects(blobs.put(key, Buffer.from('x')), /invalid blob key/, key);
    await assert.rejects(blobs.read(key), /invalid blob key/, key);
  }
  await assert.rejects(blobs.deletePrefix('../'), /invalid blob key/);
  assert.deepEqual(readdirSync(root).filter((n) => n !== 'blobs'), []);
});
