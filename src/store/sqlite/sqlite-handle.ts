// One better-sqlite3 connection shared by the job store, event log and idempotency store.
// The database closes when the bundle is closed or when every store on it has been closed.
// A file database is owned by one process (sqlite-owner-lock.ts), taken before anything is read.
//
// Group commit: every write of the stores goes through write(), which runs it inside the batch's
// transaction (BEGIN on the first write of a loop turn) and resolves only once that transaction has
// committed, on the next setImmediate. So a write's promise still means "committed" (in WAL with
// synchronous=NORMAL a committed transaction survives kill -9), while the many small writes of a
// busy turn (event appends, record saves, usage rows of many jobs) share one commit. Reads go
// through read(): with a batch open, the read runs right after its COMMIT, before anything else can
// write, so nobody is ever shown a write that is not committed yet (and no read waits for more than
// one commit, however busy the store is).
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrate } from './migrations.js';
import { SqliteOwnerLock } from './sqlite-owner-lock.js';

interface Batch {
  committed: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
  /** Reads waiting for this batch: run synchronously right after it committed (or failed). */
  reads: Array<() => void>;
}

export class SqliteHandle {
  private readonly users = new Set<object>();
  private closed = false;
  private batch: Batch | undefined;

  private constructor(readonly db: Database.Database, private readonly lock: SqliteOwnerLock | undefined) {}

  /**
   * Takes the store's owner lock (throws StoreLockedError naming the holder), then opens
   * (creating the directory and schema if missing) with WAL and synchronous=NORMAL.
   */
  static open(path: string, nowMs: number): SqliteHandle {
    let lock: SqliteOwnerLock | undefined;
    if (path !== ':memory:') {
      mkdirSync(dirname(path), { recursive: true });
      lock = SqliteOwnerLock.acquire(path, nowMs);
    }
    let db: Database.Database;
    try {
      db = new Database(path);
    } catch (error) {
      lock?.release();
      throw error;
    }
    try {
      db.pragma('journal_mode = WAL');
      // In WAL mode NORMAL loses no committed transaction on a process crash, only on power loss.
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
      migrate(db);
    } catch (error) {
      db.close();
      lock?.release();
      throw error;
    }
    return new SqliteHandle(db, lock);
  }

  /**
   * Runs a write in the open batch (one is opened if none is) and resolves with its result once the
   * batch committed; rejects at once when the write itself fails, and with the commit's error when
   * the batch could not commit (none of its writes is then stored).
   */
  write<T>(fn: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the SQLite store is closed'));
    const batch = this.batch ?? this.begin();
    let value: T;
    try {
      value = fn();
    } catch (error) {
      // SQLite undoes a failed statement only, unless the error rolled the whole transaction back.
      if (!this.db.inTransaction && this.batch === batch) this.fail(batch, error);
      return Promise.reject(error);
    }
    return batch.committed.then(() => value);
  }

  /** Runs a read on committed data only: now, or right after the open batch's commit. */
  read<T>(fn: () => T): Promise<T> {
    const batch = this.batch;
    if (!batch) {
      try {
        return Promise.resolve(fn());
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return new Promise<T>((resolve, reject) => {
      batch.reads.push(() => {
        try {
          resolve(fn());
        } catch (error) {
          reject(error);
        }
      });
    });
  }

  private begin(): Batch {
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const committed = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
    // A failed commit is reported to each writer; the batch itself must not be an unhandled rejection.
    committed.catch(() => undefined);
    const batch: Batch = { committed, resolve, reject, reads: [] };
    this.db.exec('BEGIN IMMEDIATE');
    this.batch = batch;
    setImmediate(() => this.commit(batch));
    return batch;
  }

  private commit(batch: Batch): void {
    if (this.batch !== batch) return;
    try {
      if (this.db.inTransaction) this.db.exec('COMMIT');
      else throw new Error('the transaction was rolled back');
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.fail(batch, error);
      return;
    }
    this.batch = undefined;
    batch.resolve();
    this.runReads(batch);
  }

  private fail(batch: Batch, error: unknown): void {
    this.batch = undefined;
    batch.reject(error);
    this.runReads(batch);
  }

  private runReads(batch: Batch): void {
    for (const read of batch.reads) read();
    batch.reads.length = 0;
  }

  /** Registers a store that will later release the handle. */
  use<T extends object>(user: T): T {
    this.users.add(user);
    return user;
  }

  release(user: object): void {
    this.users.delete(user);
    if (this.users.size === 0) this.close();
  }

  close(): void {
    if (this.closed) return;
    // Writes acknowledged to nobody yet are committed before the database closes.
    if (this.batch) this.commit(this.batch);
    this.closed = true;
    this.db.close();
    this.lock?.release();
  }
}
