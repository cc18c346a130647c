// Contract suite for BlobStore: the same cases on every backend (hono's common.case.test.ts).
// Covers buffers, a 30 MB stream, missing keys, prefix deletion and usage accounting. A backend
// gets a fresh, empty store per case from `make` (its own directory, key prefix or bucket path).
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { BlobStore } from './blob-store.js';
import { generatedStream, openFresh } from './fixture.contract.js';

export { generatedStream } from './fixture.contract.js';

export type MakeBlobStore = () => Promise<{ blobs: BlobStore; cleanup(): Promise<void> }>;

export interface BlobContractOptions {
  /** A backend that cannot run the usageBytes cases says why here; they are then skipped. */
  skipUsage?: string;
}

async function open(t: TestContext, make: MakeBlobStore): Promise<BlobStore> {
  return (await openFresh(t, make)).blobs;
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.from(part));
  return Buffer.concat(parts);
}

export function describeBlobStore(name: string, make: MakeBlobStore, options: BlobContractOptions = {}): void {
  const usage = { skip: options.skipUsage };
  describe(`${name}: BlobStore`, () => {
    test('a buffer put under a key reads back the same, by read and by open', async (t) => {
      const blobs = await open(t, make);
      const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
      assert.deepEqual(await blobs.put('jobs/job_a/result-0.png', png), { sizeBytes: png.length });
      assert.deepEqual(await blobs.read('jobs/job_a/result-0.png'), png);
      const stream = await blobs.open('jobs/job_a/result-0.png');
      assert.ok(stream);
      assert.deepEqual(await collect(stream), png);
    });

    test('a 30 MB stream is stored whole and streams back byte for byte', async (t) => {
      const blobs = await open(t, make);
      const sizeBytes = 30 * 1024 * 1024 + 123;
      const expected = sha256(await collect(generatedStream(sizeBytes)));
      assert.deepEqual(await blobs.put('jobs/job_big/upload-0', generatedStream(sizeBytes)), { sizeBytes });
      const stream = await blobs.open('jobs/job_big/upload-0');
      assert.ok(stream);
      const hash = createHash('sha256');
      for await (const part of stream) hash.update(part);
      assert.equal(hash.digest('hex'), expected);
      if (!options.skipUsage) assert.equal(await blobs.usageBytes(), sizeBytes);
    });

    test('a missing key opens and reads as undefined', async (t) => {
      const blobs = await open(t, make);
      assert.equal(await blobs.read('jobs/none/x.png'), undefined);
      assert.equal(await blobs.open('jobs/none/x.png'), undefined);
    });

    test('putting a key again replaces its bytes', async (t) => {
      const blobs = await open(t, make);
      await blobs.put('jobs/job_a/x', Buffer.from('first version'));
      await blobs.put('jobs/job_a/x', Buffer.from('second'));
      assert.equal((await blobs.read('jobs/job_a/x'))?.toString(), 'second');
      if (!options.skipUsage) assert.equal(await blobs.usageBytes(), 6);
    });

    test('deletePrefix removes exactly the keys that start with the prefix', async (t) => {
      const blobs = await open(t, make);
      for (const key of ['jobs/job_a/0.png', 'jobs/job_a/in/1', 'jobs/job_ab/0.png', 'jobs/job_b/0.png']) {
        await blobs.put(key, Buffer.from(key));
      }
      await blobs.deletePrefix('jobs/job_a/');
      assert.equal(await blobs.read('jobs/job_a/0.png'), undefined);
      assert.equal(await blobs.read('jobs/job_a/in/1'), undefined);
      assert.equal((await blobs.read('jobs/job_ab/0.png'))?.toString(), 'jobs/job_ab/0.png');
      await blobs.deletePrefix('jobs/job_a');
      assert.equal(await blobs.read('jobs/job_ab/0.png'), undefined);
      assert.equal((await blobs.read('jobs/job_b/0.png'))?.toString(), 'jobs/job_b/0.png');
      await blobs.deletePrefix('jobs/never/');
    });

    test('usageBytes sums the stored sizes and falls after deletion', usage, async (t) => {
      const blobs = await open(t, make);
      assert.equal(await blobs.usageBytes(), 0);
      await blobs.put('jobs/a/1', Buffer.alloc(1000));
      await blobs.put('jobs/a/2', Buffer.alloc(234));
      await blobs.put('jobs/b/1', Buffer.alloc(5000));
      assert.equal(await blobs.usageBytes(), 6234);
      await blobs.deletePrefix('jobs/b/');
      assert.equal(await blobs.usageBytes(), 1234);
    });
  });
}
