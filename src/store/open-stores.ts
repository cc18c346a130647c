// Picks the store implementations named by the config: SQLite (embedded default), memory or
// Redis (replicas), with image and upload bytes on local disk (default) or in Azure Blob Storage.
import type { HoldfastConfig } from '../config/schema.js';
import type { BlobStore } from './blob-store.js';
import type { EventLog, IdempotencyStore, JobStore } from './job-store.js';
import { AzureBlobStore } from './azure/azure-blob-store.js';
import { DiskBlobStore } from './disk/disk-blob-store.js';
import { MemoryEventLog, MemoryIdempotencyStore, MemoryJobStore } from './memory/memory-store.js';
import { openSqliteStore } from './sqlite/open-sqlite-store.js';
import { openRedisStore, type RedisStore } from './redis/open-redis-store.js';

export interface Stores {
  engine: { jobs: JobStore; events: EventLog; idempotency: IdempotencyStore; blobs: BlobStore };
  jobs: JobStore;
  /** The shared Redis store (kind redis), for the cluster's leases, budgets and signals. */
  redis?: RedisStore;
  close(): Promise<void>;
}

export async function openStores(config: HoldfastConfig): Promise<Stores> {
  const blobs = openBlobStore(config.blobs);
  if (config.store.kind === 'redis') {
    if (!config.store.url) throw new Error('store.url is required with store.kind redis (usually env:REDIS_URL)');
    const redis = await openRedisStore({ url: config.store.url.reveal(), prefix: config.store.prefix });
    return {
      engine: { jobs: redis.jobs, events: redis.events, idempotency: redis.idempotency, blobs },
      jobs: redis.jobs, redis,
      close: async () => {
        await blobs.close();
        await redis.close();
      },
    };
  }
  if (config.store.kind === 'memory') {
    const jobs = new MemoryJobStore();
    return { engine: { jobs, events: new MemoryEventLog(), idempotency: new MemoryIdempotencyStore(), blobs }, jobs, close: () => blobs.close() };
  }
  const sqlite = openSqliteStore({ path: config.store.path });
  return {
    engine: { jobs: sqlite.jobs, events: sqlite.events, idempotency: sqlite.idempotency, blobs },
    jobs: sqlite.jobs,
    close: async () => {
      await blobs.close();
      await sqlite.close();
    },
  };
}

/** Validated config guarantees the azure keys (cross-checks); the throws guard direct callers. */
function openBlobStore(blobs: HoldfastConfig['blobs']): BlobStore {
  if (blobs.kind === 'disk') return new DiskBlobStore({ root: blobs.path });
  if (!blobs.connection_string || !blobs.container) throw new Error('blobs.kind azure needs blobs.connection_string and blobs.container');
  return new AzureBlobStore({ connectionString: blobs.connection_string.reveal(), container: blobs.container });
}
