// What the store contract suites share: the set of stores a backend hands each case, a fresh-per-
// case opener that cleans up after the test, and a generated stream for large bodies.
import type { TestContext } from 'node:test';
import { Readable } from 'node:stream';
import type { EventLog, IdempotencyStore, JobStore } from './job-store.js';

export interface StoreSet {
  jobs: JobStore;
  events: EventLog;
  idempotency: IdempotencyStore;
  cleanup(): Promise<void>;
}

export type MakeStores = () => Promise<StoreSet>;

/** A fresh instance from `make` for this case; its cleanup runs after the test. */
export async function openFresh<T extends { cleanup(): Promise<void> }>(t: TestContext, make: () => Promise<T>): Promise<T> {
  const made = await make();
  t.after(() => made.cleanup());
  return made;
}

/** A lazily generated stream of `sizeBytes` (64 KiB chunks, each a different byte value). */
export function generatedStream(sizeBytes: number, onChunk?: (producedBytes: number) => void): Readable {
  return Readable.from((function* chunks() {
    const chunkBytes = 64 * 1024;
    for (let produced = 0, i = 0; produced < sizeBytes; i += 1) {
      const n = Math.min(chunkBytes, sizeBytes - produced);
      onChunk?.(produced);
      produced += n;
      yield Buffer.alloc(n, i % 251);
    }
  })());
}
