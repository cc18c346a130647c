// Job ownership: BullMQ (locks + stalled-job recovery) against holdfast's plain lease (cluster/
// job-leases.ts), on a private redis-server. Measures what decided docs/scale-out.md: Redis commands
// per job, dispatch latency (accepted -> running), and takeover time after kill -9 of the owner, with
// the same 1.5 s lease / lock duration. Prints numbers, asserts nothing.
//   npx tsx bench/lease-choice.ts [--jobs 300]
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Queue, Worker } from 'bullmq';
import { createJobLeases } from '../src/cluster/job-leases.js';

const jobs = Number(process.argv[process.argv.indexOf('--jobs') + 1]) || 300;
const LEASE_MS = 1500;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

/** Commands Redis executed (those run inside scripts included). */
async function commands(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  let total = 0;
  for (const m of info.matchAll(/calls=(\d+)/g)) total += Number(m[1]);
  return total;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function bullmqRun(url: string, redis: Redis): Promise<{ perJob: number; dispatchMs: number }> {
  const connection = { url, maxRetriesPerRequest: null };
  const queue = new Queue('bench', { connection, prefix: 'bull-bench' });
  const started = new Map<string, number>();
  const done = new Map<string, () => void>();
  const worker = new Worker('bench', async (job) => {
    started.set(String(job.id), performance.now());
  }, { connection, prefix: 'bull-bench', concurrency: 50, lockDuration: LEASE_MS, stalledInterval: LEASE_MS / 3 });
  worker.on('completed', (job) => done.get(String(job.id))?.());
  await worker.waitUntilReady();
  const before = await commands(redis);
  const waits: number[] = [];
  for (let i = 0; i < jobs; i += 1) {
    const id = `j${i}`;
    const finished = new Promise<void>((resolve) => done.set(id, resolve));
    const at = performance.now();
    await queue.add('run', { i }, { jobId: id, removeOnComplete: true });
    await finished;
    waits.push((started.get(id) ?? at) - at);
  }
  const perJob = ((await commands(redis)) - before) / jobs;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return { perJob, dispatchMs: median(waits) };
}

async function leaseRun(redis: Redis): Promise<{ perJob: number; renewPerTick: number }> {
  const leases = createJobLeases({ redis, prefix: 'lease-bench:', unfinishedKey: 'lease-bench:jobs:unfinished', token: 'r1', leaseMs: LEASE_MS });
  const before = await commands(redis);
  for (let i = 0; i < jobs; i += 1) {
    await leases.claim(`j${i}`);
    await leases.finish(`j${i}`);
  }
  const perJob = ((await commands(redis)) - before) / jobs;
  const ids = Array.from({ length: 100 }, (_, i) => `k${i}`);
  for (const id of ids) await leases.claim(id);
  const mid = await commands(redis);
  await leases.renew(ids);
  const renewPerTick = (await commands(redis)) - mid;
  for (const id of ids) await leases.finish(id);
  return { perJob, renewPerTick };
}

/** A child process takes one job and hangs; it is killed -9; how long until another owner runs it? */
async function takeover(url: string, redis: Redis, kind: 'bullmq' | 'lease'): Promise<number> {
  const child: ChildProcess = kind === 'bullmq'
    ? spawn(process.execPath, ['--input-type=module', '-e', `
        import { Worker } from 'bullmq';
        new Worker('takeover', async () => { console.log('running'); await new Promise(() => {}); },
          { connection: { url: '${url}', maxRetriesPerRequest: null }, prefix: 'bull-bench', lockDuration: ${LEASE_MS}, stalledInterval: ${LEASE_MS / 3} });
      `], { stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn(process.execPath, ['--input-type=module', '-e', `
        import { Redis } from 'ioredis';
        const r = new Redis('${url}');
        await r.set('lease-bench:lease:t1', 'dead', 'PX', ${LEASE_MS});
        await r.set('lease-bench:owner:t1', 'dead');
        await r.zadd('lease-bench:jobs:unfinished', 1, 't1');
        console.log('running');
        setInterval(() => r.set('lease-bench:lease:t1', 'dead', 'PX', ${LEASE_MS}), ${LEASE_MS / 3});
      `], { stdio: ['ignore', 'pipe', 'inherit'] });
  let queue: Queue | undefined;
  if (kind === 'bullmq') {
    queue = new Queue('takeover', { connection: { url, maxRetriesPerRequest: null }, prefix: 'bull-bench' });
    await queue.add('run', {}, { jobId: 't1' });
  }
  await new Promise<void>((resolve) => child.stdout?.on('data', (d: Buffer) => { if (d.toString().includes('running')) resolve(); }));
  child.kill('SIGKILL');
  await once(child, 'exit');
  const killedAt = performance.now();
  let tookAt = 0;
  if (kind === 'bullmq') {
    const worker = new Worker('takeover', async () => { tookAt = performance.now(); }, {
      connection: { url, maxRetriesPerRequest: null }, prefix: 'bull-bench', lockDuration: LEASE_MS, stalledInterval: LEASE_MS / 3,
    });
    while (tookAt === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await worker.close();
    await queue?.obliterate({ force: true });
    await queue?.close();
  } else {
    const leases = createJobLeases({ redis, prefix: 'lease-bench:', unfinishedKey: 'lease-bench:jobs:unfinished', token: 'r2', leaseMs: LEASE_MS });
    // The reaper scans every lease_ms / 3, as cluster.ts does.
    while ((await leases.reap(8)).length === 0) await new Promise((resolve) => setTimeout(resolve, LEASE_MS / 3));
    tookAt = performance.now();
    await leases.finish('t1');
    await redis.zrem('lease-bench:jobs:unfinished', 't1');
  }
  return tookAt - killedAt;
}

async function main(): Promise<void> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-lease-bench-'));
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 200 && !(await answers(port)); i += 1) await new Promise((resolve) => setTimeout(resolve, 25));
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const bull = await bullmqRun(url, redis);
    const lease = await leaseRun(redis);
    const bullTakeover = await takeover(url, redis, 'bullmq');
    const leaseTakeover = await takeover(url, redis, 'lease');
    console.log(`job ownership, ${jobs} sequential jobs, lease/lock ${LEASE_MS} ms, private Redis, Node ${process.version}\n`);
    console.log('                        | Redis commands per job | dispatch (accepted -> running) | takeover after kill -9');
    console.log(`BullMQ 6 (Queue/Worker) | ${bull.perJob.toFixed(1).padStart(22)} | ${bull.dispatchMs.toFixed(2).padStart(27)} ms | ${bullTakeover.toFixed(0).padStart(19)} ms`);
    console.log(`plain lease (SET NX PX) | ${lease.perJob.toFixed(1).padStart(22)} | ${'0 (runs where accepted)'.padStart(30)} | ${leaseTakeover.toFixed(0).padStart(19)} ms`);
    console.log(`\nlease renewal: ${lease.renewPerTick} Redis command(s) per replica per tick for 100 running jobs (one script)`);
  } finally {
    redis.disconnect();
    server.kill('SIGTERM');
    await once(server, 'exit');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
