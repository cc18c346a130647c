// IdempotencyStore on Redis: one hash per (scope, key) plus an expiry index. Claim-and-write is one
// Lua script, so two replicas sending the same Idempotency-Key at once make exactly one job.
import type { Redis } from 'ioredis';
import type { ClaimResult, IdempotencyEntry, IdempotencyStore } from '../job-store.js';
import { guarded } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';
import { idempotencyClaim, idempotencyExpire, idempotencyRelease, runScript } from './redis-scripts.js';

const PURGE_BATCH = 500;

export class RedisIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly address: string,
  ) {}

  async claim(entry: IdempotencyEntry, nowMs: number): Promise<ClaimResult> {
    const member = this.keys.idempotencyMember(entry.scope, entry.key);
    const reply = await guarded(this.address, () => runScript(this.redis, idempotencyClaim,
      [this.keys.idempotencyEntry(member), this.keys.idempotencyExpiry],
      [member, entry.requestHash, entry.jobId, entry.expiresAt, nowMs]));
    if (!Array.isArray(reply)) throw new Error('idempotency-claim returned no array');
    if (Number(reply[0]) === 1) return { claimed: true };
    const [, requestHash, jobId, expiresAt] = reply.map(String);
    return { claimed: false, existing: { scope: entry.scope, key: entry.key, requestHash, jobId, expiresAt: Number(expiresAt) } };
  }

  async release(scope: string, key: string, jobId: string): Promise<void> {
    const member = this.keys.idempotencyMember(scope, key);
    await guarded(this.address, () => runScript(this.redis, idempotencyRelease,
      [this.keys.idempotencyEntry(member), this.keys.idempotencyExpiry], [member, jobId]));
  }

  async purgeExpired(nowMs: number): Promise<number> {
    let removed = 0;
    for (;;) {
      const members = await guarded(this.address, () =>
        this.redis.zrangebyscore(this.keys.idempotencyExpiry, '-inf', nowMs, 'LIMIT', 0, PURGE_BATCH));
      for (const member of members) {
        const reply = await guarded(this.address, () => runScript(this.redis, idempotencyExpire,
          [this.keys.idempotencyEntry(member), this.keys.idempotencyExpiry], [member, nowMs]));
        removed += Number(reply);
      }
      if (members.length < PURGE_BATCH) return removed;
    }
  }

  async close(): Promise<void> {}
}
