// Runs the BlobStore contract on Azure Blob Storage, against Azurite started by the test on
// 127.0.0.1 (one emulator for the file, a fresh container per case), plus what only a shared
// blob store shows: a second client (another replica) reads what the first wrote.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { BlobServiceClient } from '@azure/storage-blob';
import { describeBlobStore } from '../blob-store.contract.js';
import { startAzurite, type RunningAzurite } from '../../../test/helpers/azurite.js';
import { StoreUnavailableError } from '../store-unavailable-error.js';
import { AzureBlobStore } from './azure-blob-store.js';

let azurite: RunningAzurite;
const cleanups: Array<() => Promise<void>> = [];
before(async () => {
  azurite = await startAzurite({ after: (fn) => cleanups.push(fn) });
});
after(async () => {
  for (const fn of cleanups.reverse()) await fn();
});

function containerName(): string {
  return `holdfast-test-${randomUUID().slice(0, 8)}`;
}

async function dropContainer(container: string): Promise<void> {
  await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(container).deleteIfExists();
}

describeBlobStore('azure', async () => {
  const container = containerName();
  return {
    blobs: new AzureBlobStore({ connectionString: azurite.connectionString, container }),
    cleanup: () => dropContainer(container),
  };
});

test('an image one replica writes to Azure is read by another replica\'s client', async (t) => {
  const container = containerName();
  t.after(() => dropContainer(container));
  const a = new AzureBlobStore({ connectionString: azurite.connectionString, container });
  const b = new AzureBlobStore({ connectionString: azurite.connectionString, container });
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 9, 8, 7]);
  await a.put('jobs/job_r/result-0.png', png);
  assert.deepEqual(await b.read('jobs/job_r/result-0.png'), png);
  await b.deletePrefix('jobs/job_r/');
  assert.equal(await a.read('jobs/job_r/result-0.png'), undefined);
});

test('a failed upload stream rejects and leaves no blob behind', async (t) => {
  const container = containerName();
  t.after(() => dropContainer(container));
  const blobs = new AzureBlobStore({ connectionString: azurite.connectionString, container });
  const failing = Readable.from((function* broken() {
    yield Buffer.alloc(5 * 1024 * 1024);
    throw new Error('client went away');
  })());
  await assert.rejects(blobs.put('jobs/job_f/upload', failing));
  assert.equal(await blobs.read('jobs/job_f/upload'), undefined);
  assert.equal(await blobs.usageBytes(), 0);
});

test('while the blob service is unreachable calls fail within seconds with StoreUnavailableError', async (t) => {
  const own = await startAzurite(t);
  const blobs = new AzureBlobStore({ connectionString: own.connectionString, container: containerName() });
  await blobs.put('jobs/job_u/0.png', Buffer.from('png'));
  await own.stop();
  for (const [what, run] of [['read', () => blobs.read('jobs/job_u/0.png')], ['put', () => blobs.put('jobs/job_u/1.png', Buffer.from('x'))]] as const) {
    const started = Date.now();
    const error = await run().then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof StoreUnavailableError, `${what}: ${String(error)}`);
    assert.match(error.message, /^Azure Blob Storage \(container holdfast-test-[0-9a-f]+\) cannot serve: /);
    assert.doesNotMatch(error.message, /AccountKey|Eby8/);
    assert.ok(Date.now() - started < 5000, `${what} took ${Date.now() - started} ms`);
  }
});
