// Picks the store implementations named by the options: SQLite (embedded default) or memory,
// with image and upload bytes on local disk either way.
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
  /** Throws when jobs or blobs cannot be written (readiness). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface StoreOptions {
  store: { kind: 'memory' } | { kind: 'sqlite'; path: string };
  /** Directory of the disk blob store (images, uploads). */
  blobsRoot: string;
  /** Called for each job record the store cannot read (quarantined; the other jobs start). */
  onBadRecord?: (id: string, reason: string) => void;
}

export function openStores(options: StoreOptions): Stores {
  const blobs = new DiskBlobStore({ root: options.blobsRoot });
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
