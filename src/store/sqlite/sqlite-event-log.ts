// EventLog on SQLite: rows (job_id, seq, at, body JSON). append assigns seq = MAX(seq) + 1 inside
// the INSERT itself, so the number is atomic even with several processes on one database file.
import type Database from 'better-sqlite3';
import type { JobEvent, JobEventBody } from '../job-record.js';
import type { EventLog } from '../job-store.js';
import type { SqliteHandle } from './sqlite-handle.js';

interface EventRow {
  seq: number;
  at: number;
  body: string;
}

export class SqliteEventLog implements EventLog {
  private readonly insert: Database.Statement<[string, string, number, string], { seq: number }>;
  private readonly after: Database.Statement<[string, number, number], EventRow>;
  private readonly last: Database.Statement<[string], { seq: number | null }>;
  private readonly remove: Database.Statement<[string]>;

  constructor(private readonly handle: SqliteHandle) {
    const db = handle.db;
    this.insert = db.prepare(
      `INSERT INTO events (job_id, seq, at, body)
       VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE job_id = ?), ?, ?)
       RETURNING seq`,
    );
    this.after = db.prepare('SELECT seq, at, body FROM events WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?');
    this.last = db.prepare('SELECT MAX(seq) AS seq FROM events WHERE job_id = ?');
    this.remove = db.prepare('DELETE FROM events WHERE job_id = ?');
  }

  async append(jobId: string, body: JobEventBody, at: number): Promise<JobEvent> {
    const text = JSON.stringify(body);
    const row = await this.handle.write(() => this.insert.get(jobId, jobId, at, text));
    if (!row) throw new Error('event insert returned no row');
    // The stored text is the truth; hand back the caller's body (not a re-parse of tens of MB).
    return { ...body, seq: row.seq, at } as JobEvent;
  }

  async read(jobId: string, afterSeq: number, limit?: number): Promise<JobEvent[]> {
    // SQLite reads LIMIT -1 as "no limit".
    return (await this.handle.read(() => this.after.all(jobId, afterSeq, limit ?? -1))).map(toEvent);
  }

  async lastSeq(jobId: string): Promise<number> {
    return (await this.handle.read(() => this.last.get(jobId)))?.seq ?? 0;
  }

  async deleteJob(jobId: string): Promise<void> {
    await this.handle.write(() => this.remove.run(jobId));
  }

  async close(): Promise<void> {
    this.handle.release(this);
  }
}

function toEvent(row: EventRow): JobEvent {
  // Bodies are written by append from a JobEventBody; the store is the only writer.
  const body = JSON.parse(row.body) as JobEventBody;
  return { ...body, seq: row.seq, at: row.at };
}
