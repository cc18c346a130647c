// One better-sqlite3 connection shared by the job store, event log and idempotency store.
// The database closes when the bundle is closed or when every store on it has been closed.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrate } from './migrations.js';

export class SqliteHandle {
  private readonly users = new Set<object>();
  private closed = false;

  private constructor(readonly db: Database.Database) {}

  /** Opens (creating the directory and schema if missing) with WAL and synchronous=NORMAL. */
  static open(path: string): SqliteHandle {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    try {
      db.pragma('journal_mode = WAL');
      // In WAL mode NORMAL loses no committed transaction on a process crash, only on power loss.
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
      migrate(db);
    } catch (error) {
      db.close();
      throw error;
    }
    return new SqliteHandle(db);
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
  }
}
