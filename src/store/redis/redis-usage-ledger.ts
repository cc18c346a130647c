// UsageLedger on Redis, shared by every replica on one prefix: each attempt's entry is a JSON value
// in one hash (keyed jobId#attempt, so recording again replaces it), indexed by its end time in a
// sorted set. A report reads the entries of its time range in batches and groups them in the
// process: its cost grows with the attempts in the range (about 300 bytes each), fine for the
// volumes of an image gateway; narrow reports with from/to.
import type { Redis } from 'ioredis';
import { summarizeEntries, type UsageEntry, type UsageLedger, type UsageQuery, type UsageRow } from '../usage-ledger.js';
import { guarded } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';

const BATCH = 500;

export class RedisUsageLedger implements UsageLedger {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly address: string,
  ) {}

  async record(entry: UsageEntry): Promise<void> {
    const field = `${entry.jobId}#${entry.attempt}`;
    await guarded(this.address, () => this.redis.multi()
      .hset(this.keys.usageEntries, field, JSON.stringify(entry))
      .zadd(this.keys.usageByTime, entry.at, field)
      .exec());
  }

  async summarize(query: UsageQuery): Promise<UsageRow[]> {
    const from = query.fromMs === undefined ? '-inf' : String(query.fromMs);
    const to = query.toMs === undefined ? '+inf' : `(${query.toMs}`;
    const entries: UsageEntry[] = [];
    for (let offset = 0; ; offset += BATCH) {
      const fields = await guarded(this.address, () => this.redis.zrangebyscore(this.keys.usageByTime, from, to, 'LIMIT', offset, BATCH));
      if (fields.length > 0) {
        const values = await guarded(this.address, () => this.redis.hmget(this.keys.usageEntries, ...fields));
        for (const value of values) if (value !== null) entries.push(JSON.parse(value) as UsageEntry);
      }
      if (fields.length < BATCH) break;
    }
    return summarizeEntries(entries, query);
  }

  async close(): Promise<void> {}
}
