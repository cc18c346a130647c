// JobStore on SQLite: the JobRecord as JSON plus the columns that index it (status, owner, times).
// Statements are prepared once; better-sqlite3 is synchronous, so each method is one atomic call.
import type Database from 'better-sqlite3';
import type { JobRecord } from '../../engine/job.js';
import type { JobListQuery, JobStore } from '../job-store.js';
import type { SqliteHandle } from './sqlite-handle.js';

interface RecordRow {
  record: string;
}

export class SqliteJobStore implements JobStore {
  private readonly insert: Database.Statement;
  private readonly upsert: Database.Statement;
  private readonly byId: Database.Statement<[string], RecordRow>;
  private readonly unfinished: Database.Statement<[], RecordRow>;
  private readonly purge: Database.Statement<[number], { id: string }>;
  private readonly finished: Database.Statement<[number, number], { id: string }>;
  private readonly remove: Database.Statement<[string]>;
  private readonly webhookPending: Database.Statement<[number], RecordRow>;

  constructor(private readonly handle: SqliteHandle) {
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
    this.byId = db.prepare('SELECT record FROM jobs WHERE id = ?');
    this.unfinished = db.prepare(
      `SELECT record FROM jobs WHERE status IN ('queued', 'running') ORDER BY created_at, rowid`,
    );
    this.purge = db.prepare(
      `DELETE FROM jobs WHERE status NOT IN ('queued', 'running') AND updated_at < ? RETURNING id`,
    );
    this.finished = db.prepare(
      `SELECT id FROM jobs WHERE status NOT IN ('queued', 'running') AND updated_at < ? ORDER BY updated_at LIMIT ?`,
    );
    this.remove = db.prepare('DELETE FROM jobs WHERE id = ?');
    this.webhookPending = db.prepare(
      `SELECT record FROM jobs WHERE status NOT IN ('queued', 'running') AND json_extract(record, '$.webhookPending') = 1
       ORDER BY updated_at LIMIT ?`,
    );
  }

  async create(job: JobRecord): Promise<void> {
    // A duplicate id violates the primary key and throws, as the interface requires.
    this.insert.run(toRow(job));
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const row = this.byId.get(id);
    return row ? parseRecord(row.record) : undefined;
  }

  async save(job: JobRecord): Promise<void> {
    this.upsert.run(toRow(job));
  }

  async listUnfinished(): Promise<JobRecord[]> {
    return this.unfinished.all().map((row) => parseRecord(row.record));
  }

  async purgeFinishedBefore(beforeMs: number): Promise<string[]> {
    return this.purge.all(beforeMs).map((row) => row.id);
  }

  async listFinishedBefore(beforeMs: number, limit: number): Promise<string[]> {
    return this.finished.all(beforeMs, limit).map((row) => row.id);
  }

  async listWebhookPending(limit: number): Promise<JobRecord[]> {
    return this.webhookPending.all(limit).map((row) => parseRecord(row.record));
  }

  async list(query: JobListQuery): Promise<JobRecord[]> {
    const where: string[] = [];
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
    const sql = `SELECT record FROM jobs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT ?`;
    const rows = this.handle.db.prepare<Array<string | number>, RecordRow>(sql).all(...params, query.limit);
    return rows.map((row) => parseRecord(row.record));
  }

  async delete(id: string): Promise<void> {
    this.remove.run(id);
  }

  async ping(): Promise<void> {
    this.handle.db.prepare('SELECT 1').get();
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

function parseRecord(text: string): JobRecord {
  // Written by toRow from a JobRecord; the store is the only writer, so the shape is trusted.
  return JSON.parse(text) as JobRecord;
}
