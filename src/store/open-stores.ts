// Picks the store implementations named by the config: SQLite (embedded default) or memory,
// with image and upload bytes on local disk either way.
import type { HoldfastConfig } from '../config/schema.js';
import type { BlobStore } from './blob-store.js';
import type { EventLog, IdempotencyStore, JobStore } from './job-store.js';
import { DiskBlobStore } from './disk/disk-blob-store.js';
import { MemoryEventLog, MemoryIdempotencyStore, MemoryJobStore } from './memory/memory-store.js';
import { openSqliteStore } from './sqlite/open-sqlite-store.js';
import type { KeyStore } from './key-store.js';
import type { UsageLedger } from './usage-ledger.js';
import { MemoryKeyStore } from './memory/memory-key-store.js';
import { MemoryUsageLedger } from './memory/memory-usage-ledger.js';

export interface Stores {
  engine: { jobs: JobStore; events: EventLog; idempotency: IdempotencyStore; blobs: BlobStore };
  jobs: JobStore;
  keys: KeyStore;
  usage: UsageLedger;
  close(): Promise<void>;
}

export function openStores(config: HoldfastConfig): Stores {
  const blobs = new DiskBlobStore({ root: config.blobs.path });
  if (config.store.kind === 'memory') {
    const jobs = new MemoryJobStore();
    return {
      engine: { jobs, events: new MemoryEventLog(), idempotency: new MemoryIdempotencyStore(), blobs }, jobs,
      keys: new MemoryKeyStore(), usage: new MemoryUsageLedger(), close: () => blobs.close(),
    };
  }
  const sqlite = openSqliteStore({ path: config.store.path });
  return {
    engine: { jobs: sqlite.jobs, events: sqlite.events, idempotency: sqlite.idempotency, blobs },
    jobs: sqlite.jobs,
    keys: sqlite.keys,
    usage: sqlite.usage,
    close: async () => {
      await blobs.close();
      await sqlite.close();
    },
  };
}
