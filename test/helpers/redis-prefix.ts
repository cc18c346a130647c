// Redis for tests: the server of REDIS_URL (CI starts one) or 127.0.0.1:6379, and a unique key
// prefix per use whose keys are deleted after the test (style guide §10: helpers clean up).
import type { TestContext } from 'node:test';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export function testRedisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** Deletes every key that starts with prefix (SCAN, never KEYS). */
export async function deleteRedisPrefix(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** A fresh prefix like `holdfast-test:<uuid>:`; its keys are deleted when the test ends. */
export function useRedisPrefix(t: Pick<TestContext, 'after'>, url = testRedisUrl()): string {
  const prefix = `holdfast-test:${randomUUID()}:`;
  t.after(() => deleteRedisPrefix(url, prefix).then(() => undefined));
  return prefix;
}
