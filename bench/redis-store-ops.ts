// Redis store cost per call (issue 10): mean latency of each store operation the engine makes per
// job, on REDIS_URL or 127.0.0.1:6379 under a throwaway prefix (deleted after), against SQLite on
// a temp file. Every Redis call is one round trip (one command or one EVALSHA). Prints numbers only.
//   npx tsx bench/redis-store-ops.ts [--n 2000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { sampleJob } from '../src/store/job-store.contract.js';
import { openRedisStore } from '../src/store/redis/open-redis-store.js';
import { openSqliteStore } from '../src/store/sqlite/open-sqlite-store.js';
import type { EventLog, IdempotencyStore, JobStore } from '../src/store/job-store.js';
import { deleteRedisPrefix, testRedisUrl } from '../test/helpers/redis-prefix.js';

const at = process.argv.indexOf('--n');
const N = at >= 0 ? Number(process.argv[at + 1]) : 2000;

async function timed(label: string, run: (i: number) => Promise<unknown>): Promise<[string, number]> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < N; i += 1) await run(i);
  return [label, Number(process.hrtime.bigint() - started) / 1e3 / N];
}

async function measure(stores: { jobs: JobStore; events: EventLog; idempotency: IdempotencyStore }): Promise<Array<[string, number]>> {
  const { jobs, events, idempotency } = stores;
  const partial = { type: 'image.partial', attempt: 1, deploymentId: 'd', forward: true,
    payload: { type: 'image_generation.partial_image', partial_image_index: 0, b64_json: 'A'.repeat(1000) } } as const;
  return [
    await timed('idempotency.claim', (i) => idempotency.claim({ scope: 's', key: `k${i}`, requestHash: 'h', jobId: `job_${i}`, expiresAt: 1e13 }, 0)),
    await timed('jobs.create', (i) => jobs.create(sampleJob(`job_${i}`))),
    await timed('jobs.get', (i) => jobs.get(`job_${i}`)),
    await timed('jobs.save', (i) => jobs.save(sampleJob(`job_${i}`, { status: 'running' }))),
    await timed('events.append (1 KB)', (i) => events.append(`job_${i}`, partial, i)),
    await timed('events.read (after 0)', (i) => events.read(`job_${i}`, 0)),
    await timed('events.lastSeq', (i) => events.lastSeq(`job_${i}`)),
  ];
}

const url = testRedisUrl();
const prefix = `holdfast-bench:${randomUUID()}:`;
const redis = await openRedisStore({ url, prefix });
const dir = mkdtempSync(join(tmpdir(), 'holdfast-bench-'));
const sqlite = openSqliteStore({ path: join(dir, 'holdfast.db') });
try {
  const onRedis = await measure(redis);
  const onSqlite = await measure(sqlite);
  console.log(`mean latency per call, ${N} calls each, one at a time (µs)`);
  console.log(`${'operation'.padEnd(24)}${'redis'.padStart(10)}${'sqlite'.padStart(10)}`);
  onRedis.forEach(([label, us], i) => console.log(`${label.padEnd(24)}${us.toFixed(1).padStart(10)}${onSqlite[i][1].toFixed(1).padStart(10)}`));
} finally {
  await redis.close();
  await sqlite.close();
  rmSync(dir, { recursive: true, force: true });
  await deleteRedisPrefix(url, prefix);
}
