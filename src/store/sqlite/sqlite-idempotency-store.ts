// IdempotencyStore on SQLite: one row per (scope, key). A claim overwrites only an expired row,
// decided by the INSERT's conflict clause, so two processes cannot both win one key.
import type Database from 'better-sqlite3';
import type { ClaimResult, IdempotencyEntry, IdempotencyStore } from '../job-store.js';
import type { SqliteHandle } from './sqlite-handle.js';

interface EntryRow {
  scope: string;
  key: string;
  request_hash: string;
  job_id: string;
  expires_at: number;
}

export class SqliteIdempotencyStore implements IdempotencyStore {
  private readonly insert: Database.Statement;
  private readonly byKey: Database.Statement<[string, string], EntryRow>;
  private readonly remove: Database.Statement<[string, string, string]>;
  private readonly purge: Database.Statement<[number]>;
  private readonly claimTx: (entry: IdempotencyEntry, nowMs: number) => ClaimResult;

  constructor(private readonly handle: SqliteHandle) {
    const db = handle.db;
    this.insert = db.prepare(
      `INSERT INTO idempotency (scope, key, request_hash, job_id, expires_at)
       VALUES (@scope, @key, @requestHash, @jobId, @expiresAt)
       ON CONFLICT (scope, key) DO UPDATE SET request_hash = excluded.request_hash,
         job_id = excluded.job_id, expires_at = excluded.expires_at
       WHERE idempotency.expires_at <= @nowMs`,
    );
    this.byKey = db.prepare('SELECT * FROM idempotency WHERE scope = ? AND key = ?');
    this.remove = db.prepare('DELETE FROM idempotency WHERE scope = ? AND key = ? AND job_id = ?');
    this.purge = db.prepare('DELETE FROM idempotency WHERE expires_at <= ?');
    this.claimTx = db.transaction((entry: IdempotencyEntry, nowMs: number): ClaimResult => {
      if (this.insert.run({ ...entry, nowMs }).changes === 1) return { claimed: true };
      const row = this.byKey.get(entry.scope, entry.key);
      if (!row) throw new Error('idempotency row vanished inside its transaction');
      return { claimed: false, existing: toEntry(row) };
    }).immediate;
  }

  async claim(entry: IdempotencyEntry, nowMs: number): Promise<ClaimResult> {
    return this.handle.write(() => this.claimTx(entry, nowMs));
  }

  async release(scope: string, key: string, jobId: string): Promise<void> {
    await this.handle.write(() => this.remove.run(scope, key, jobId));
  }

  async purgeExpired(nowMs: number): Promise<number> {
    return (await this.handle.write(() => this.purge.run(nowMs))).changes;
  }

  async close(): Promise<void> {
    this.handle.release(this);
  }
}

function toEntry(row: EntryRow): IdempotencyEntry {
  return { scope: row.scope, key: row.key, requestHash: row.request_hash, jobId: row.job_id, expiresAt: row.expires_at };
}
