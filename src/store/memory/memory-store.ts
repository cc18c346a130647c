// In-memory JobStore, EventLog and IdempotencyStore: for unit tests and a store-less gateway.
// Records are deep-copied in and out so callers cannot mutate stored state by accident.
import type { JobEvent, JobEventBody, JobRecord } from '../job-record.js';
import type { ClaimResult, EventLog, IdempotencyEntry, IdempotencyStore, JobStore } from '../job-store.js';

export class MemoryJobStore implements JobStore {
  private readonly jobs = new Map<string, JobRecord>();

  async create(job: JobRecord): Promise<void> {
    if (this.jobs.has(job.id)) throw new Error(`job ${job.id} exists`);
    this.jobs.set(job.id, structuredClone(job));
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const job = this.jobs.get(id);
    return job ? structuredClone(job) : undefined;
  }

  async save(job: JobRecord): Promise<void> {
    this.jobs.set(job.id, structuredClone(job));
  }

  async listUnfinished(): Promise<JobRecord[]> {
    return [...this.jobs.values()]
      .filter((j) => j.status === 'queued' || j.status === 'running')
      .sort((a, b) => a.createdAt - b.createdAt)
      .map((j) => structuredClone(j));
  }

  async listFinishedBefore(beforeMs: number, limit: number): Promise<string[]> {
    return [...this.jobs.values()]
      .filter((j) => j.status !== 'queued' && j.status !== 'running' && j.updatedAt < beforeMs)
      .sort((a, b) => a.updatedAt - b.updatedAt)
      .slice(0, limit)
      .map((j) => j.id);
  }

  async listWebhookPending(limit: number): Promise<JobRecord[]> {
    return [...this.jobs.values()]
      .filter((j) => j.webhookPending === true && j.status !== 'queued' && j.status !== 'running')
      .sort((a, b) => a.updatedAt - b.updatedAt)
      .slice(0, limit)
      .map((j) => structuredClone(j));
  }

  async delete(id: string): Promise<void> {
    this.jobs.delete(id);
  }

  async ping(): Promise<void> {}
  async close(): Promise<void> {}
}

export class MemoryEventLog implements EventLog {
  private readonly logs = new Map<string, JobEvent[]>();

  async append(jobId: string, body: JobEventBody, at: number): Promise<JobEvent> {
    const log = this.logs.get(jobId) ?? [];
    const event = { ...structuredClone(body), seq: log.length === 0 ? 1 : log[log.length - 1].seq + 1, at } as JobEvent;
    log.push(event);
    this.logs.set(jobId, log);
    return structuredClone(event);
  }

  async read(jobId: string, afterSeq: number, limit = Number.POSITIVE_INFINITY): Promise<JobEvent[]> {
    return (this.logs.get(jobId) ?? []).filter((e) => e.seq > afterSeq).slice(0, limit).map((e) => structuredClone(e));
  }

  async lastSeq(jobId: string): Promise<number> {
    const log = this.logs.get(jobId);
    return log && log.length > 0 ? log[log.length - 1].seq : 0;
  }

  async deleteJob(jobId: string): Promise<void> {
    this.logs.delete(jobId);
  }

  async close(): Promise<void> {}
}

export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, IdempotencyEntry>();

  async claim(entry: IdempotencyEntry, nowMs: number): Promise<ClaimResult> {
    const id = `${entry.scope}\u0000${entry.key}`;
    const existing = this.entries.get(id);
    if (existing && existing.expiresAt > nowMs) return { claimed: false, existing: { ...existing } };
    this.entries.set(id, { ...entry });
    return { claimed: true };
  }

  async release(scope: string, key: string, jobId: string): Promise<void> {
    const id = `${scope}\u0000${key}`;
    if (this.entries.get(id)?.jobId === jobId) this.entries.delete(id);
  }

  async purgeExpired(nowMs: number): Promise<number> {
    let n = 0;
    for (const [id, e] of this.entries) if (e.expiresAt <= nowMs) { this.entries.delete(id); n += 1; }
    return n;
  }

  async close(): Promise<void> {}
}
