// JobStore on SQLite: the JobRecord as JSON plus the columns that index it (status, owner, times).
// Statements are prepared once; better-sqlite3 is synchronous, so each method is one atomic call.
import type Database from 'better-sqlite3';
import type { JobRecord } from '../job-record.js';
import type { JobListQuery, JobStore } from '../job-store.js';
import type { SqliteHandle } from './sqlite-handle.js';

interface RecordRow {
  record: string;
}

interface IdRecordRow extends RecordRow {
  id: string;
}

/** Told about a record the store cannot read (it is quarantined: status `quarantined`, kept for inspection). */
export type BadRecordHandler = (id: string, reason: string) => void;

export class SqliteJobStore implements JobStore {
  private readonly insert: Database.Statement;
  private readonly upsert: Database.Statement;
  private readonly update: Database.Statement;
  private readonly byId: Database.Statement<[string], RecordRow>;
  private readonly unfinished: Database.Statement<[], IdRecordRow>;
  private readonly quarantine: Database.Statement<[string]>;
  private readonly finished: Database.Statement<[number, number], { id: string }>;
  private readonly remove: Database.Statement<[string]>;
  private readonly webhookPending: Database.Statement<[number], IdRecordRow>;
  private probes = 0;

  constructor(private readonly handle: SqliteHandle, private readonly onBadRecord: BadRecordHandler = () => undefined) {
    const db = handle.db;
    this.insert = db.prepare(
      `INSERT INTO jobs (id, status, owner, created_at, updated_at, record)
       VALUES (@id, @status, @owner, @createdAt, @updatedAt, @record)`,
    );
    this.upsert = db.prepare(
      `INSERT INTO jobs (id, status, owner, created_at, updated_at, record)
       VALUES (@id, @status, @owner, @createdAt, @updatedAt, @record)
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, owner = excluded.owner,
         created_at = excluded.created_at, updated_at = excluded.updated_at, record = excluded.record`,
    );
    // A job's owner and creation time never change: a save of a stored job rewrites only what does,
    // so the indexes on (owner, created_at) are left alone.
    this.update = db.prepare('UPDATE jobs SET status = @status, updated_at = @updatedAt, record = @record WHERE id = @id');
    this.byId = db.prepare('SELECT record FROM jobs WHERE id = ?');
    this.unfinished = db.prepare(
      `SELECT id, record FROM jobs WHERE status IN ('queued', 'running') ORDER BY created_at, rowid`,
    );
    this.quarantine = db.prepare(`UPDATE jobs SET status = 'quarantined' WHERE id = ?`);
    this.finished = db.prepare(
      `SELECT id FROM jobs WHERE status NOT IN ('queued', 'running') AND updated_at < ? ORDER BY updated_at LIMIT ?`,
    );
    this.remove = db.prepare('DELETE FROM jobs WHERE id = ?');
    this.webhookPending = db.prepare(
      `SELECT id, record FROM jobs WHERE status NOT IN ('queued', 'running', 'quarantined')
         AND json_valid(record) AND json_extract(record, '$.webhookPending') = 1
       ORDER BY updated_at LIMIT ?`,
    );
  }

  async create(job: JobRecord): Promise<void> {
    // A duplicate id violates the primary key and throws, as the interface requires.
    const row = toRow(job);
    await this.handle.write(() => this.insert.run(row));
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const row = await this.handle.read(() => this.byId.get(id));
    if (!row) return undefined;
    const parsed = parseRecord(row.record);
    return parsed.ok ? parsed.job : undefined;
  }

  async save(job: JobRecord): Promise<void> {
    const row = toRow(job);
    await this.handle.write(() => {
      if (this.update.run({ id: row.id, status: row.status, updatedAt: row.updatedAt, record: row.record }).changes === 0) this.upsert.run(row);
    });
  }

  async listUnfinished(): Promise<JobRecord[]> {
    return this.readable(await this.handle.read(() => this.unfinished.all()));
  }

  async listFinishedBefore(beforeMs: number, limit: number): Promise<string[]> {
    return (await this.handle.read(() => this.finished.all(beforeMs, limit))).map((row) => row.id);
  }

  async listWebhookPending(limit: number): Promise<JobRecord[]> {
    return this.readable(await this.handle.read(() => this.webhookPending.all(limit)));
  }

  /** The rows that parse; the others are quarantined (not awaited), so one bad record never stops a start. */
  private readable(rows: IdRecordRow[]): JobRecord[] {
    const jobs: JobRecord[] = [];
    for (const row of rows) {
      const parsed = parseRecord(row.record);
      if (parsed.ok) jobs.push(parsed.job);
      else {
        void this.handle.write(() => this.quarantine.run(row.id)).catch(() => undefined);
        this.onBadRecord(row.id, parsed.reason);
      }
    }
    return jobs;
  }

  async list(query: JobListQuery): Promise<JobRecord[]> {
    // Quarantined (unreadable) records are never listed; json_valid guards the json_* filters below.
    const where: string[] = [`status != 'quarantined'`, 'json_valid(record)'];
    const params: Array<string | number> = [];
    if (query.owner !== undefined) { where.push('owner = ?'); params.push(query.owner); }
    if (query.status !== undefined) { where.push('status = ?'); params.push(query.status); }
    if (query.model !== undefined) { where.push(`json_extract(record, '$.request.model') = ?`); params.push(query.model); }
    if (query.keyName !== undefined) { where.push(`json_extract(record, '$.keyName') = ?`); params.push(query.keyName); }
    if (query.deployment !== undefined) {
      where.push(`EXISTS (SELECT 1 FROM json_each(record, '$.attempts') WHERE json_extract(value, '$.deploymentId') = ?)`);
      params.push(query.deployment);
    }
    if (query.search !== undefined && query.search !== '') {
      where.push(`(id = ? OR instr(lower(coalesce(json_extract(record, '$.request.fields.prompt'), '')), lower(?)) > 0)`);
      params.push(query.search, query.search);
    }
    if (query.before !== undefined) {
      where.push('(created_at < ? OR (created_at = ? AND id < ?))');
      params.push(query.before.createdAt, query.before.createdAt, query.before.id);
    }
    const sql = `SELECT id, record FROM jobs WHERE ${where.join(' AND ')}
      ORDER BY created_at DESC, id DESC LIMIT ?`;
    return this.readable(await this.handle.read(() => this.handle.db.prepare<Array<string | number>, IdRecordRow>(sql).all(...params, query.limit)));
  }

  async delete(id: string): Promise<void> {
    await this.handle.write(() => this.remove.run(id));
  }

  /** Readiness: a real write (a store that can only be read cannot take jobs or results). */
  async ping(): Promise<void> {
    const db = this.handle.db;
    this.probes += 1;
    const probe = this.probes;
    await this.handle.write(() => {
      db.exec('CREATE TABLE IF NOT EXISTS readiness_probe (id INTEGER PRIMARY KEY, at INTEGER NOT NULL)');
      db.prepare('INSERT OR REPLACE INTO readiness_probe (id, at) VALUES (1, ?)').run(probe);
    });
  }

  async close(): Promise<void> {
    this.handle.release(this);
  }
}

function toRow(job: JobRecord): Record<string, string | number> {
  return {
    id: job.id, status: job.status, owner: job.ownerKeyHash,
    createdAt: job.createdAt, updatedAt: job.updatedAt, record: JSON.stringify(job),
  };
}

function parseRecord(text: string): { ok: true; job: JobRecord } | { ok: false; reason: string } {
  // Written by toRow from a JobRecord, but a disk fault, a hand edit or an old bug can break one.
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  const job = value as Partial<JobRecord> | null;
  if (typeof job !== 'object' || job === null || typeof job.id !== 'string' || typeof job.request !== 'object' || job.request === null || !Array.isArray(job.attempts)) {
    return { ok: false, reason: 'not a job record' };
  }
  return { ok: true, job: job as JobRecord };
}
