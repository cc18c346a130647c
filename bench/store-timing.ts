// Bench only: times every call of the store implementations by wrapping their prototype methods
// (createHoldfast opens its stores itself, so the bench wraps the classes rather than the instances).
// SQLite (better-sqlite3) and memory calls do their work synchronously, so their times never overlap
// and add up to a share of the event loop; the disk blob store's awaits overlap and are reported apart.
import { SqliteJobStore } from '../src/store/sqlite/sqlite-job-store.js';
import { SqliteEventLog } from '../src/store/sqlite/sqlite-event-log.js';
import { SqliteIdempotencyStore } from '../src/store/sqlite/sqlite-idempotency-store.js';
import { MemoryEventLog, MemoryIdempotencyStore, MemoryJobStore } from '../src/store/memory/memory-store.js';
import { DiskBlobStore } from '../src/store/disk/disk-blob-store.js';

export type StoreGroup = 'state' | 'blobs';

export interface StoreTimes {
  calls: Record<StoreGroup, number>;
  ms: Record<StoreGroup, number>;
  /** Per method, e.g. `SqliteEventLog.append`. */
  byMethod: Map<string, { calls: number; ms: number }>;
}

export function emptyTimes(): StoreTimes {
  return { calls: { state: 0, blobs: 0 }, ms: { state: 0, blobs: 0 }, byMethod: new Map() };
}

type AnyMethod = (...args: unknown[]) => unknown;

const classes: Array<[string, { prototype: object }, StoreGroup]> = [
  ['SqliteJobStore', SqliteJobStore, 'state'], ['SqliteEventLog', SqliteEventLog, 'state'],
  ['SqliteIdempotencyStore', SqliteIdempotencyStore, 'state'], ['MemoryJobStore', MemoryJobStore, 'state'],
  ['MemoryEventLog', MemoryEventLog, 'state'], ['MemoryIdempotencyStore', MemoryIdempotencyStore, 'state'],
  ['DiskBlobStore', DiskBlobStore, 'blobs'],
];

/** Wraps every store method once; calls are added to `sink.current` (swap it between runs). */
export function instrumentStores(sink: { current: StoreTimes }): void {
  for (const [name, cls, group] of classes) {
    const proto = cls.prototype as Record<string, unknown>;
    for (const method of Object.getOwnPropertyNames(proto)) {
      const original = proto[method];
      if (method === 'constructor' || method === 'close' || typeof original !== 'function') continue;
      const fn = original as AnyMethod;
      const record = (started: number): void => {
        const ms = performance.now() - started;
        const times = sink.current;
        times.calls[group] += 1;
        times.ms[group] += ms;
        const entry = times.byMethod.get(`${name}.${method}`) ?? { calls: 0, ms: 0 };
        entry.calls += 1;
        entry.ms += ms;
        times.byMethod.set(`${name}.${method}`, entry);
      };
      proto[method] = function timed(this: unknown, ...args: unknown[]): unknown {
        const started = performance.now();
        const result = fn.apply(this, args);
        // SQLite and memory do all their work before returning the promise: time to return is the
        // cost on the event loop. Disk blobs await real I/O: time to settle.
        if (group === 'blobs' && result instanceof Promise) return result.finally(() => record(started));
        record(started);
        return result;
      };
    }
  }
}
