// BlobStore on Azure Blob Storage (@azure/storage-blob): key `jobs/x/0.png` is the block blob of
// that name in one container, so every replica reads the images and uploads any other wrote.
// Streams are uploaded in 4 MiB blocks (never held whole); the container is created on first use.
// An unreachable or failing service (network error, 5xx, after the SDK's few quick retries) is a
// StoreUnavailableError; its message names the container, never the URL (a SAS would leak).
import { BlobServiceClient, RestError, type ContainerClient } from '@azure/storage-blob';
import { randomUUID } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import type { BlobStore } from '../blob-store.js';
import { StoreUnavailableError } from '../store-unavailable-error.js';

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
      // Few, quick retries: a caller waits seconds at most, then gets StoreUnavailableError.
      retryOptions: { maxTries: 3, retryDelayInMs: 200, maxRetryDelayInMs: 1000, tryTimeoutInMs: 60_000 },
    });
    this.container = service.getContainerClient(options.container);
    this.name = options.container;
  }

  private readonly name: string;

  put(key: string, data: Buffer | Readable): Promise<{ sizeBytes: number }> {
    return this.guarded(() => this.upload(key, data));
  }

  private async upload(key: string, data: Buffer | Readable): Promise<{ sizeBytes: number }> {
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
    const response = await this.guarded(() => ifFound(() => blob.download()));
    const body = response?.readableStreamBody;
    if (!body) return undefined;
    return body instanceof Readable ? body : Readable.from(body);
  }

  async read(key: string): Promise<Buffer | undefined> {
    const blob = this.container.getBlobClient(checkKey(key));
    return this.guarded(() => ifFound(() => blob.downloadToBuffer()));
  }

  deletePrefix(prefix: string): Promise<void> {
    return this.guarded(() => this.deleteAll(prefix));
  }

  private async deleteAll(prefix: string): Promise<void> {
    const names: string[] = [];
    await ifFound(async () => {
      for await (const item of this.container.listBlobsFlat({ prefix })) names.push(item.name);
    });
    for (let i = 0; i < names.length; i += DELETE_CONCURRENCY) {
      await Promise.all(names.slice(i, i + DELETE_CONCURRENCY).map((name) => this.container.getBlobClient(name).deleteIfExists()));
    }
  }

  usageBytes(): Promise<number> {
    return this.guarded(() => this.sumSizes());
  }

  private async sumSizes(): Promise<number> {
    let total = 0;
    await ifFound(async () => {
      for await (const item of this.container.listBlobsFlat()) total += item.properties.contentLength ?? 0;
    });
    return total;
  }

  /** Readiness: writes and removes a probe blob (throws StoreUnavailableError when it cannot). */
  probeWritable(): Promise<void> {
    return this.guarded(async () => {
      await this.ensureContainer();
      const probe = this.container.getBlockBlobClient(`readyz/${randomUUID()}`);
      await probe.uploadData(Buffer.from('ok'));
      await probe.deleteIfExists();
    });
  }

  async close(): Promise<void> {}

  private async guarded<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof RestError) || (error.statusCode !== undefined && error.statusCode < 500)) throw error;
      const what = error.statusCode === undefined ? (error.code ?? 'network error') : `HTTP ${error.statusCode}`;
      throw new StoreUnavailableError(`Azure Blob Storage (container ${this.name}) cannot serve: ${what}`, { cause: error });
    }
  }

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
