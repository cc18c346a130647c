// EventLog on Redis Streams: one stream per job whose entry ids are `0-{seq}`. XADD with id `0-*`
// lets Redis number the entries 1, 2, 3... atomically, so the seq the engine expects IS the
// stream id, and "resume after seq N" is "read after id 0-N" on any replica. follow() tails the
// stream live through RedisStreamTail (one blocking connection for every follower of a replica).
import type { Redis } from 'ioredis';
import type { JobEvent, JobEventBody, JobRecord } from '../job-record.js';
import type { EventLog } from '../job-store.js';
import { isStoreUnavailable } from '../store-unavailable-error.js';
import { guarded } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';
import { eventAppendGuarded, eventAppendGuardedPut, runScript } from './redis-scripts.js';
import { jobPutCall } from './redis-job-store.js';
import type { RedisStreamTail, StreamEntry } from './redis-stream-tail.js';

/** A fencing guard: append only while `key` holds `value` (a lease token). */
export interface AppendGuard {
  key: string;
  value: string;
}

export class RedisEventLog implements EventLog {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly address: string,
    private readonly tail: RedisStreamTail,
  ) {}

  async append(jobId: string, body: JobEventBody, at: number): Promise<JobEvent> {
    const id = await guarded(this.address, () => this.redis.xadd(this.keys.events(jobId), '0-*', 'at', at, 'body', JSON.stringify(body)));
    if (id === null) throw new Error('XADD returned no id');
    return { ...body, seq: seqOf(id), at } as JobEvent;
  }

  /**
   * Appends only while `guard.key` holds `guard.value`, in one script: a replica whose lease was
   * taken over gets undefined and must stop writing. `guard.key` is a full key (not prefixed).
   * With `record`, the job record the event leads to is saved in the same step (one round trip).
   */
  async appendGuarded(jobId: string, body: JobEventBody, at: number, guard: AppendGuard, record?: JobRecord): Promise<JobEvent | undefined> {
    const keys = [this.keys.events(jobId), guard.key];
    const args: Array<string | number> = [guard.value, at, JSON.stringify(body)];
    const put = record ? jobPutCall(this.keys, record, 'save') : undefined;
    const id = await guarded(this.address, () => (put
      ? runScript(this.redis, eventAppendGuardedPut, [...keys, ...put.keys], [...args, ...put.args])
      : runScript(this.redis, eventAppendGuarded, keys, args)));
    if (typeof id !== 'string') return undefined;
    return { ...body, seq: seqOf(id), at } as JobEvent;
  }

  async read(jobId: string, afterSeq: number, limit?: number): Promise<JobEvent[]> {
    const key = this.keys.events(jobId);
    const start = `0-${afterSeq + 1}`;
    const entries = await guarded(this.address, () =>
      limit === undefined ? this.redis.xrange(key, start, '+') : this.redis.xrange(key, start, '+', 'COUNT', limit));
    return entries.map(toEvent);
  }

  async lastSeq(jobId: string): Promise<number> {
    const [last] = await guarded(this.address, () => this.redis.xrevrange(this.keys.events(jobId), '+', '-', 'COUNT', 1));
    return last ? seqOf(last[0]) : 0;
  }

  async deleteJob(jobId: string): Promise<void> {
    await guarded(this.address, () => this.redis.del(this.keys.events(jobId)));
  }

  /**
   * Every event after `afterSeq`, then live ones as any replica appends them, until the signal
   * aborts (the generator then returns). It does not stop at a terminal event: the caller
   * decides when it has seen enough. While Redis is unreachable it waits and resumes from its
   * cursor, so nothing is skipped; reads that fail are retried after the connection is back.
   */
  async *follow(jobId: string, afterSeq: number, signal: AbortSignal): AsyncGenerator<JobEvent> {
    let seq = afterSeq;
    const key = this.keys.events(jobId);
    while (!signal.aborted) {
      const batch = await this.catchUp(jobId, seq, signal);
      for (const event of batch) {
        seq = event.seq;
        yield event;
        if (signal.aborted) return;
      }
      if (batch.length > 0) continue;
      const entries = await this.tail.next(key, seq, signal);
      for (const entry of entries) {
        const event = toEvent(entry);
        if (event.seq <= seq) continue;
        seq = event.seq;
        yield event;
        if (signal.aborted) return;
      }
    }
  }

  /** One page after seq; an outage yields nothing after waiting for the tail to reconnect. */
  private async catchUp(jobId: string, seq: number, signal: AbortSignal): Promise<JobEvent[]> {
    try {
      return await this.read(jobId, seq, 64);
    } catch (error) {
      if (!isStoreUnavailable(error)) throw error;
      if (signal.aborted) return [];
      await this.tail.whenConnected(signal);
      return [];
    }
  }

  async close(): Promise<void> {}
}

function seqOf(id: string): number {
  return Number(id.slice(id.indexOf('-') + 1));
}

function toEvent(entry: StreamEntry): JobEvent {
  const [id, fields] = entry;
  let at = 0;
  let body = '{}';
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'at') at = Number(fields[i + 1]);
    else if (fields[i] === 'body') body = fields[i + 1];
  }
  // Bodies are written by append from a JobEventBody; the store is the only writer.
  return { ...(JSON.parse(body) as JobEventBody), seq: seqOf(id), at };
}
