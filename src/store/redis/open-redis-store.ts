// openRedisStore: the shared store of a replica set. JobStore, EventLog (Streams),
// IdempotencyStore, managed client keys and the usage ledger on one command connection, plus one
// blocking connection for live follow. Every replica opened on the same URL and prefix sees the
// same jobs, events, claims, keys, key counters and usage.
//
// Failure behaviour (for readiness and HTTP, which the cluster code decides):
// - opening fails with StoreUnavailableError when Redis does not answer within connectTimeoutMs;
// - while Redis is unreachable every call rejects at once with StoreUnavailableError (no queue,
//   no hang); a command to a silent server rejects after commandTimeoutMs; a command in flight
//   when the connection drops is rejected, never re-sent (it may have been applied);
// - the connections reconnect by themselves (back-off up to 1 s); ping() tells when they are back;
// - follow() waits through an outage and resumes from its cursor.
import type { Redis } from 'ioredis';
import { SystemClock, type Clock } from '../../time/clock.js';
import { closeRedis, connectRedis, createRedisConnection, guarded, redisAddress } from './redis-connection.js';
import { RedisEventLog } from './redis-event-log.js';
import { RedisIdempotencyStore } from './redis-idempotency-store.js';
import { RedisJobStore } from './redis-job-store.js';
import { RedisKeyStore } from './redis-key-store.js';
import { RedisUsageLedger } from './redis-usage-ledger.js';
import { RedisKeys } from './redis-keys.js';
import { RedisStreamTail } from './redis-stream-tail.js';

export const DEFAULT_REDIS_PREFIX = 'holdfast:';

export interface RedisStoreOptions {
  /** redis:// or rediss:// URL; its password never appears in errors. */
  url: string;
  /** Prefix of every key; replicas of one gateway share it. Default 'holdfast:'. */
  prefix?: string;
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Longest blocking XREAD of the follow loop. */
  followBlockMs?: number;
  /** Used only to pause between failed follow reads. */
  clock?: Clock;
}

export interface RedisStore {
  jobs: RedisJobStore;
  events: RedisEventLog;
  idempotency: RedisIdempotencyStore;
  /** Managed client keys and their live counters (budget, rpm, concurrency). */
  clientKeys: RedisKeyStore;
  usage: RedisUsageLedger;
  keys: RedisKeys;
  /** Resolves when Redis answers; throws StoreUnavailableError otherwise (for /readyz). */
  ping(): Promise<void>;
  /** The command connection, for the cluster's own scripts on the same server (not for the follow loop). */
  redis: Redis;
  /** Closes both connections; idempotent. */
  close(): Promise<void>;
}

export async function openRedisStore(options: RedisStoreOptions): Promise<RedisStore> {
  const address = redisAddress(options.url);
  const connection = { url: options.url, commandTimeoutMs: options.commandTimeoutMs, connectTimeoutMs: options.connectTimeoutMs };
  const redis = createRedisConnection({ ...connection, name: 'store' });
  const reader = createRedisConnection({ ...connection, name: 'follow', blocking: true });
  // ioredis reports every failed reconnect as an 'error' event; callers see StoreUnavailableError.
  for (const r of [redis, reader]) r.on('error', () => {});
  try {
    await connectRedis(redis, options.url);
    await connectRedis(reader, options.url);
  } catch (error) {
    redis.disconnect();
    reader.disconnect();
    throw error;
  }
  const keys = new RedisKeys(options.prefix ?? DEFAULT_REDIS_PREFIX);
  const tail = new RedisStreamTail({ reader, control: redis, clock: options.clock ?? new SystemClock() }, { blockMs: options.followBlockMs });
  let closing: Promise<void> | undefined;
  return {
    jobs: new RedisJobStore(redis, keys, address),
    events: new RedisEventLog(redis, keys, address, tail),
    idempotency: new RedisIdempotencyStore(redis, keys, address),
    clientKeys: new RedisKeyStore(redis, keys, address),
    usage: new RedisUsageLedger(redis, keys, address),
    keys,
    redis,
    ping: async () => {
      await guarded(address, () => redis.ping());
    },
    close: () => {
      closing ??= (async () => {
        const stopped = tail.close();
        // Dropping the reader ends its blocking XREAD at once; the loop then sees it is closed.
        reader.disconnect();
        await stopped;
        await closeRedis(redis);
      })();
      return closing;
    },
  };
}
