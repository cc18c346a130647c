// BlobStore on Azure Blob Storage (@azure/storage-blob): key `jobs/x/0.png` is the block blob of
// that name in one container, so every replica reads the images and uploads any other wrote.
// Streams are uploaded in 4 MiB blocks (never held whole); the container is created on first use.
import { BlobServiceClient, RestError, type ContainerClient } from '@azure/storage-blob';
import { Readable, Transform } from 'node:stream';
import type { BlobStore } from '../blob-store.js';

export interface AzureBlobStoreOptions {
  /** Storage account connection string (a secret: it holds the account key). */
  connectionString: string;
  container: string;
}

const BLOCK_BYTES = 4 * 1024 * 1024;
const UPLOAD_CONCURRENCY = 4;
const DELETE_CONCURRENCY = 16;

export class AzureBlobStore implements BlobStore {
  private readonly container: ContainerClient;
  private ready?: Promise<void>;

  constructor(options: AzureBlobStoreOptions) {
    // Builds clients only; no request is sent until the first operation.
    const service = BlobServiceClient.fromConnectionString(options.connectionString, {
      retryOptions: { maxTries: 3 },
    });
    this.container = service.getContainerClient(options.container);
  }

  async put(key: string, data: Buffer | Readable): Promise<{ sizeBytes: number }> {
    await this.ensureContainer();
    const blob = this.container.getBlockBlobClient(checkKey(key));
    if (Buffer.isBuffer(data)) {
      await blob.uploadData(data, { blockSize: BLOCK_BYTES, concurrency: UPLOAD_CONCURRENCY });
      return { sizeBytes: data.length };
    }
    let sizeBytes = 0;
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        sizeBytes += chunk.length;
        done(null, chunk);
      },
    });
    // A failing source must fail the upload: pass its error on to the stream being uploaded.
    data.once('error', (error) => counted.destroy(error));
    await blob.uploadStream(data.pipe(counted), BLOCK_BYTES, UPLOAD_CONCURRENCY);
    return { sizeBytes };
  }

  async open(key: string): Promise<Readable | undefined> {
    const blob = this.container.getBlobClient(checkKey(key));
    const response = await ifFound(() => blob.download());
    const body = response?.readableStreamBody;
    if (!body) return undefined;
    return body instanceof Readable ? body : Readable.from(body);
  }

  async read(key: string): Promise<Buffer | undefined> {
    const blob = this.container.getBlobClient(checkKey(key));
    return ifFound(() => blob.downloadToBuffer());
  }

  async deletePrefix(prefix: string): Promise<void> {
    const names: string[] = [];
    await ifFound(async () => {
      for await (const item of this.container.listBlobsFlat({ prefix })) names.push(item.name);
    });
    for (let i = 0; i < names.length; i += DELETE_CONCURRENCY) {
      await Promise.all(names.slice(i, i + DELETE_CONCURRENCY).map((name) => this.container.getBlobClient(name).deleteIfExists()));
    }
  }

  async usageBytes(): Promise<number> {
    let total = 0;
    await ifFound(async () => {
      for await (const item of this.container.listBlobsFlat()) total += item.properties.contentLength ?? 0;
    });
    return total;
  }

  async close(): Promise<void> {}

  private ensureContainer(): Promise<void> {
    this.ready ??= this.container.createIfNotExists().then(() => undefined, (error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }
}

/** Keys are the store's own (`jobs/{id}/...`); refuse ones Azure would silently rewrite. */
function checkKey(key: string): string {
  const parts = key.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\'))) throw new Error(`invalid blob key ${JSON.stringify(key)}`);
  return key;
}

/** Runs fn, mapping "no such blob or container" (404) to undefined. */
async function ifFound<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof RestError && error.statusCode === 404) return undefined;
    throw error;
  }
}
