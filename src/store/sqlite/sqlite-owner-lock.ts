// One process owns a SQLite store. The lock is an OS file lock that SQLite takes on `<db>.lock`
// (locking_mode=EXCLUSIVE plus one write) and holds until close; the kernel drops it when the
// process dies, even by kill -9, so a stale lock never blocks. `<db>.owner` names the holder
// (pid, host, since) for the refusal message; it is advisory, the OS lock decides.
import Database from 'better-sqlite3';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';

export interface StoreOwner {
  pid: number;
  host: string;
  /** ISO time the owner took the store. */
  since: string;
}

export class StoreLockedError extends Error {
  readonly code = 'store_locked';

  constructor(readonly path: string, readonly owner: StoreOwner | undefined) {
    const who = owner ? `process ${owner.pid} on ${owner.host} (since ${owner.since})` : 'another process';
    super(`The SQLite store ${path} is in use by ${who}. One process owns a SQLite store: stop that process, `
      + 'point store.path at another file, or use store.kind redis to run several replicas.');
    this.name = 'StoreLockedError';
  }
}

export class SqliteOwnerLock {
  private constructor(private readonly lockDb: Database.Database, private readonly ownerPath: string) {}

  /** Takes the lock of the store at dbPath or throws StoreLockedError naming the holder. */
  static acquire(dbPath: string, nowMs: number): SqliteOwnerLock {
    const lockPath = `${dbPath}.lock`;
    const ownerPath = `${dbPath}.owner`;
    const lockDb = new Database(lockPath, { timeout: 0 });
    try {
      lockDb.pragma('locking_mode = EXCLUSIVE');
      // The first write takes SQLite's EXCLUSIVE lock; in exclusive locking mode it is kept.
      lockDb.exec('CREATE TABLE IF NOT EXISTS owner (pid INTEGER); DELETE FROM owner;');
      lockDb.prepare('INSERT INTO owner (pid) VALUES (?)').run(process.pid);
    } catch (error) {
      lockDb.close();
      if (isBusy(error)) throw new StoreLockedError(dbPath, readOwner(ownerPath));
      throw error;
    }
    const owner: StoreOwner = { pid: process.pid, host: hostname(), since: new Date(nowMs).toISOString() };
    const temp = `${ownerPath}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(owner)}\n`);
    renameSync(temp, ownerPath);
    return new SqliteOwnerLock(lockDb, ownerPath);
  }

  /** Releases the lock; idempotent. */
  release(): void {
    if (!this.lockDb.open) return;
    if (readOwner(this.ownerPath)?.pid === process.pid) rmSync(this.ownerPath, { force: true });
    this.lockDb.close();
  }
}

function isBusy(error: unknown): boolean {
  return error instanceof Error && 'code' in error && (error.code === 'SQLITE_BUSY' || error.code === 'SQLITE_LOCKED');
}

function readOwner(path: string): StoreOwner | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { pid, host, since } = parsed as Record<string, unknown>;
    if (typeof pid !== 'number' || typeof host !== 'string' || typeof since !== 'string') return undefined;
    return { pid, host, since };
  } catch {
    return undefined;
  }
}
