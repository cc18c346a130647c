// Picks the store implementations named by the config: SQLite (embedded default) or memory,
// with image and upload bytes on local disk either way.
import type { HoldfastConfig } from '../config/schema.js';
import type { BlobStore } from './blob-store.js';
import type { EventLog, IdempotencyStore, JobStore } from './job-store.js';
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
  const blobs = new DiskBlobStore({ root: config.blobs.path });
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
