// JobStore on Redis: each record is a JSON string; three sorted sets index unfinished jobs (crash
// recovery, takeover), finished jobs (retention) and pending webhooks. Scripts keep record and
// indexes in step. Shared by every replica on the same prefix; leases and fencing are the cluster's.
import type { Redis } from 'ioredis';
import type { JobRecord } from '../job-record.js';
import type { JobListQuery, JobStore } from '../job-store.js';
import { matchesJobQuery, newestFirst } from '../job-list-match.js';
import { guarded } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';
import { jobDelete, jobPut, runScript } from './redis-scripts.js';

/** Records fetched per MGET, so a long list never becomes one huge reply. */
const BATCH = 200;

export class RedisJobStore implements JobStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly address: string,
  ) {}

  async create(job: JobRecord): Promise<void> {
    const written = await this.put(job, 'create');
    if (written !== 1) throw new Error(`job ${job.id} exists`);
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const text = await guarded(this.address, () => this.redis.get(this.keys.job(id)));
    return text === null ? undefined : parseRecord(text);
  }

  async save(job: JobRecord): Promise<void> {
    await this.put(job, 'save');
  }

  async listUnfinished(): Promise<JobRecord[]> {
    const ids = await guarded(this.address, () => this.redis.zrange(this.keys.unfinished, '0', '-1'));
    return this.records(ids);
  }

  async listFinishedBefore(beforeMs: number, limit: number): Promise<string[]> {
    // '(' makes the bound exclusive: updatedAt < beforeMs, as on SQLite.
    return guarded(this.address, () => this.redis.zrangebyscore(this.keys.finished, '-inf', `(${beforeMs}`, 'LIMIT', 0, limit));
  }

  async delete(id: string): Promise<void> {
    const k = this.keys;
    await guarded(this.address, () => runScript(this.redis, jobDelete, [k.job(id), k.unfinished, k.finished, k.webhookPending], [id]));
  }

  /**
   * The jobs API's list: every retained job (both indexes) read and filtered with the same predicate
   * as the memory store, newest first. O(jobs retained) per call: fine for the dashboard and the CLI
   * at the retention most teams keep; a created-at index would make it a range read.
   */
  async list(query: JobListQuery): Promise<JobRecord[]> {
    const [unfinished, finished] = await guarded(this.address, () => Promise.all([
      this.redis.zrange(this.keys.unfinished, '0', '-1'), this.redis.zrange(this.keys.finished, '0', '-1'),
    ]));
    const jobs = await this.records([...new Set([...unfinished, ...finished])]);
    return jobs.filter((j) => matchesJobQuery(j, query)).sort(newestFirst).slice(0, query.limit);
  }

  async listWebhookPending(limit: number): Promise<JobRecord[]> {
    const ids = await guarded(this.address, () => this.redis.zrange(this.keys.webhookPending, '0', String(limit - 1)));
    return this.records(ids);
  }

  /** Throws StoreUnavailableError when Redis does not answer (readiness). */
  async ping(): Promise<void> {
    await guarded(this.address, () => this.redis.ping());
  }

  /** The connection is the bundle's (open-redis-store.ts); closing one store closes nothing. */
  async close(): Promise<void> {}

  private async put(job: JobRecord, mode: 'create' | 'save'): Promise<unknown> {
    const { keys, args } = jobPutCall(this.keys, job, mode);
    return guarded(this.address, () => runScript(this.redis, jobPut, keys, args));
  }

  /** Records of ids in order; ids whose record vanished meanwhile (purged) are skipped. */
  private async records(ids: string[]): Promise<JobRecord[]> {
    const out: JobRecord[] = [];
    for (let i = 0; i < ids.length; i += BATCH) {
      const batch = ids.slice(i, i + BATCH).map((id) => this.keys.job(id));
      const texts = await guarded(this.address, () => this.redis.mget(batch));
      for (const text of texts) if (text !== null) out.push(parseRecord(text));
    }
    return out;
  }
}

/** KEYS and ARGV of job-put for one record (event-append-guarded-put takes the same after its own). */
export function jobPutCall(k: RedisKeys, job: JobRecord, mode: 'create' | 'save'): { keys: string[]; args: string[] } {
  const unfinished = job.status === 'queued' || job.status === 'running';
  return {
    keys: [k.job(job.id), k.unfinished, k.finished, k.webhookPending],
    args: [job.id, JSON.stringify(job), mode, unfinished ? '1' : '0', String(job.createdAt), String(job.updatedAt), job.webhookPending === true ? '1' : '0'],
  };
}

function parseRecord(text: string): JobRecord {
  // Written by put() from a JobRecord; the store is the only writer, so the shape is trusted.
  return JSON.parse(text) as JobRecord;
}
