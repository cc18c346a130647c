// One better-sqlite3 connection shared by the job store, event log and idempotency store.
// The database closes when the bundle is closed or when every store on it has been closed.
// A file database is owned by one process (sqlite-owner-lock.ts), taken before anything is read.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrate } from './migrations.js';
import { SqliteOwnerLock } from './sqlite-owner-lock.js';

export class SqliteHandle {
  private readonly users = new Set<object>();
  private closed = false;

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
    this.closed = true;
    this.db.close();
    this.lock?.release();
  }
}
