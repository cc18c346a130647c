// Picks the store implementations named by the options: SQLite (embedded default), memory or
// Redis (replicas), with image and upload bytes on local disk (default) or in Azure Blob Storage.
import type { BlobStore } from './blob-store.js';
import type { EventLog, IdempotencyStore, JobStore } from './job-store.js';
import { AzureBlobStore } from './azure/azure-blob-store.js';
import { DiskBlobStore } from './disk/disk-blob-store.js';
import { MemoryEventLog, MemoryIdempotencyStore, MemoryJobStore } from './memory/memory-store.js';
import { openSqliteStore } from './sqlite/open-sqlite-store.js';
import type { KeyStore } from './key-store.js';
import type { UsageLedger } from './usage-ledger.js';
import { MemoryKeyStore } from './memory/memory-key-store.js';
import { MemoryUsageLedger } from './memory/memory-usage-ledger.js';
import { openRedisStore, type RedisStore } from './redis/open-redis-store.js';

export interface Stores {
  engine: { jobs: JobStore; events: EventLog; idempotency: IdempotencyStore; blobs: BlobStore };
  jobs: JobStore;
  keys: KeyStore;
  usage: UsageLedger;
  /** The shared Redis store (kind redis), for the cluster's leases, budgets and signals. */
  redis?: RedisStore;
  /** Throws when jobs or blobs cannot be written (readiness). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export type BlobOptions =
  | { kind: 'disk'; root: string }
  | { kind: 'azure'; connectionString: string; container: string };

export interface StoreOptions {
  store: { kind: 'memory' } | { kind: 'sqlite'; path: string } | { kind: 'redis'; url: string; prefix: string };
  /** Where images and uploads live: a disk folder or an Azure container. */
  blobs: BlobOptions;
  /** Called for each job record the store cannot read (quarantined; the other jobs start). */
  onBadRecord?: (id: string, reason: string) => void;
}

export async function openStores(options: StoreOptions): Promise<Stores> {
  const blobs = openBlobStore(options.blobs);
  if (options.store.kind === 'redis') {
    const redis = await openRedisStore({ url: options.store.url, prefix: options.store.prefix });
    return {
      engine: { jobs: redis.jobs, events: redis.events, idempotency: redis.idempotency, blobs },
      jobs: redis.jobs, redis,
      // Shared by every replica: a key made or revoked on one is live or refused on all at once.
      keys: redis.clientKeys, usage: redis.usage,
      ready: async () => {
        await redis.ping();
        await blobs.probeWritable();
      },
      close: async () => {
        await blobs.close();
        await redis.close();
      },
    };
  }
  if (options.store.kind === 'memory') {
    const jobs = new MemoryJobStore();
    return {
      engine: { jobs, events: new MemoryEventLog(), idempotency: new MemoryIdempotencyStore(), blobs }, jobs,
      keys: new MemoryKeyStore(), usage: new MemoryUsageLedger(),
      ready: () => blobs.probeWritable(), close: () => blobs.close(),
    };
  }
  const sqlite = openSqliteStore({ path: options.store.path, onBadRecord: options.onBadRecord });
  return {
    engine: { jobs: sqlite.jobs, events: sqlite.events, idempotency: sqlite.idempotency, blobs },
    jobs: sqlite.jobs,
    keys: sqlite.keys,
    usage: sqlite.usage,
    ready: async () => {
      await sqlite.jobs.ping();
      await blobs.probeWritable();
    },
    close: async () => {
      await blobs.close();
      await sqlite.close();
    },
  };
}

function openBlobStore(blobs: BlobOptions): DiskBlobStore | AzureBlobStore {
  if (blobs.kind === 'disk') return new DiskBlobStore({ root: blobs.root });
  return new AzureBlobStore({ connectionString: blobs.connectionString, container: blobs.container });
}
