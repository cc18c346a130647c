// Picks the store implementations named by the config: SQLite (embedded default) or memory,
// with image and upload bytes on local disk either way.
import type { HoldfastConfig } from '../config/schema.js';
import type { BlobStore } from './blob-store.js';
import type { EventLog, IdempotencyStore, JobStore } from './job-store.js';
import { DiskBlobStore } from './disk/disk-blob-store.js';
import { MemoryEventLog, MemoryIdempotencyStore, MemoryJobStore } from './memory/memory-store.js';
import { openSqliteStore } from './sqlite/open-sqlite-store.js';

export interface Stores {
  engine: { jobs: JobStore; events: EventLog; idempotency: IdempotencyStore; blobs: BlobStore };
  jobs: JobStore;
  /** Throws when jobs or blobs cannot be written (readiness). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export function openStores(config: HoldfastConfig, options: { onBadRecord?: (id: string, reason: string) => void } = {}): Stores {
  const blobs = new DiskBlobStore({ root: config.blobs.path });
  if (config.store.kind === 'memory') {
    const jobs = new MemoryJobStore();
    return {
      engine: { jobs, events: new MemoryEventLog(), idempotency: new MemoryIdempotencyStore(), blobs }, jobs,
      ready: () => blobs.probeWritable(), close: () => blobs.close(),
    };
  }
  const sqlite = openSqliteStore({ path: config.store.path, onBadRecord: options.onBadRecord });
  return {
    engine: { jobs: sqlite.jobs, events: sqlite.events, idempotency: sqlite.idempotency, blobs },
    jobs: sqlite.jobs,
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
