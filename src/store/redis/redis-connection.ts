// Redis connections for the stores and the mapping of connection trouble to StoreUnavailableError.
// Commands fail at once while Redis is unreachable (no offline queue), are never re-sent after a
// drop (an XADD or a claim could apply twice), time out on a silent server, and ioredis reconnects
// by itself with a short back-off. Which connections exist is left to open-redis-store.ts.
import { Redis } from 'ioredis';
import { StoreUnavailableError } from '../store-unavailable-error.js';

export interface RedisConnectionOptions {
  /** redis:// or rediss:// URL (may carry a password: never logged or put in an error). */
  url: string;
  /** Shown in CLIENT LIST. */
  name: string;
  /** A command without a reply after this long fails (a paused or black-holed server). Default 5000. */
  commandTimeoutMs?: number;
  /** First connection attempt gives up after this long. Default 3000. */
  connectTimeoutMs?: number;
  /** For a connection that only runs blocking XREADs: no command timeout, blocking protection instead. */
  blocking?: boolean;
}

/** Longest pause between reconnect attempts: Redis coming back is noticed within about a second. */
const MAX_RECONNECT_DELAY_MS = 1000;

export function createRedisConnection(options: RedisConnectionOptions): Redis {
  return new Redis(options.url, {
    connectionName: `holdfast-${options.name}`,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: options.connectTimeoutMs ?? 3000,
    ...(options.blocking ? { blockingTimeout: 1000 } : { commandTimeout: options.commandTimeoutMs ?? 5000 }),
    retryStrategy: (times) => Math.min(25 * 2 ** Math.min(times, 6), MAX_RECONNECT_DELAY_MS),
  });
}

/** host:port of a Redis URL, without user or password, for messages. */
export function redisAddress(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '6379'}`;
  } catch {
    return '(invalid Redis URL)';
  }
}

/** Connects, or throws StoreUnavailableError naming the address (never the URL's credentials). */
export async function connectRedis(redis: Redis, url: string): Promise<void> {
  if (redis.status === 'ready') return;
  try {
    await redis.connect();
  } catch (error) {
    // ioredis keeps retrying after a failed first connect; a store that failed to open must not.
    redis.disconnect();
    throw new StoreUnavailableError(`Redis at ${redisAddress(url)} is unreachable: ${messageOf(error)}`, { cause: error });
  }
}

// Server replies that mean "this server cannot serve now" rather than "this command is wrong".
const UNAVAILABLE_REPLIES = /^(LOADING|BUSY|MASTERDOWN|READONLY|OOM|NOREPLICAS|TRYAGAIN|CLUSTERDOWN)\b/;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Maps a failed command to StoreUnavailableError when the cause is the connection or server state. */
export function toStoreError(error: unknown, address: string): unknown {
  if (error instanceof StoreUnavailableError) return error;
  if (!(error instanceof Error)) return error;
  const isReply = error.name === 'ReplyError';
  if (isReply && !UNAVAILABLE_REPLIES.test(error.message)) return error;
  return new StoreUnavailableError(`Redis at ${address} cannot serve: ${error.message}`, { cause: error });
}

/** Runs one store operation, translating connection trouble into StoreUnavailableError. */
export async function guarded<T>(address: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toStoreError(error, address);
  }
}

/** Closes a connection: QUIT when it is up (pending replies arrive), a plain disconnect otherwise. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status === 'ready') {
    try {
      await redis.quit();
      return;
    } catch {
      // Fall through: the connection broke while quitting.
    }
  }
  redis.disconnect();
}
