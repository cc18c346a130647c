// Jobs/s through the full path on the SQLite store (issue 11): holdfast as its own process (default
// SQLite store and disk blobs, durability as documented), the simulator answering a small JPEG at
// ~0 latency, N clients submitting at once. Two modes, each on a fresh gateway:
//   async  POST with Prefer: respond-async (202 once the job is stored), then every job runs to
//          success; jobs/s = jobs / (first submit .. last job finished)
//   sync   POST and wait for the JSON answer (job stored, run, image stored, answered)
// The gateway runs under --cpu-prof; the store's share of its busy CPU is read from that profile
// (SQLite, holdfast's store code, the file system for image blobs), start-up and warm-up left out.
// Prints numbers, asserts nothing.
//   npx tsx bench/jobs-throughput.ts [--jobs 3000] [--clients 50] [--keep-profiles DIR]
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Agent, request } from 'undici';
import { startSimulator } from '../src/simulator/index.js';
import { SystemClock } from '../src/time/clock.js';
import { createSeededRandom } from '../src/time/random.js';
import { startGateway } from './bench-gateway.js';
import { gatewayConfig, simulatorScenario, SMALL_BODY } from './small-calls.js';
import { summarizeProfile, type ProfileSummary } from './cpu-profile-summary.js';

export interface JobsThroughputOptions {
  jobs?: number;
  clients?: number;
  modes?: Array<'async' | 'sync'>;
  /** Keep the gateway's CPU profiles there (default: a temp dir, removed). */
  profileDir?: string;
  log?: (line: string) => void;
}

export interface JobsThroughputRow {
  mode: 'async' | 'sync';
  jobs: number;
  clients: number;
  seconds: number;
  jobsPerSecond: number;
  /** Submit latency (async: until the 202; sync: until the image), ms. */
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** Shares of the gateway's busy CPU in the measured run, 0..1. */
  storeShare: { sqlite: number; storeCode: number; fileSystem: number; total: number };
  profile: ProfileSummary;
}

const HEADERS = { 'content-type': 'application/json', authorization: 'Bearer sk-bench' };

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

async function unfinished(url: string, dispatcher: Agent): Promise<number> {
  let n = 0;
  for (const status of ['queued', 'running']) {
    const res = await request(`${url}/v1/images/jobs?status=${status}&limit=1`, { headers: HEADERS, dispatcher });
    const body = await res.body.json() as { data: unknown[] };
    n += body.data.length;
  }
  return n;
}

async function drive(url: string, mode: 'async' | 'sync', jobs: number, clients: number, dispatcher: Agent): Promise<{ latencies: number[]; errors: number }> {
  let next = 0;
  let errors = 0;
  const latencies: number[] = [];
  const headers = mode === 'async' ? { ...HEADERS, prefer: 'respond-async' } : HEADERS;
  const worker = async (): Promise<void> => {
    while (next < jobs) {
      next += 1;
      const started = performance.now();
      const res = await request(`${url}/v1/images/generations`, { method: 'POST', headers, body: SMALL_BODY, dispatcher });
      await res.body.arrayBuffer();
      latencies.push(performance.now() - started);
      if (res.statusCode !== (mode === 'async' ? 202 : 200)) errors += 1;
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
  return { latencies, errors };
}

async function runMode(mode: 'async' | 'sync', jobs: number, clients: number, simUrl: string, keepProfiles?: string): Promise<JobsThroughputRow> {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-bench-jobs-'));
  const profDir = keepProfiles ? join(keepProfiles, mode) : join(dir, 'prof');
  const gateway = await startGateway(gatewayConfig(dir, simUrl), dir, { cpuProfDir: profDir });
  const dispatcher = new Agent({ connections: clients + 4 });
  try {
    await drive(gateway.url, 'sync', Math.min(200, jobs), Math.min(clients, 20), dispatcher); // warm-up
    const started = performance.now();
    const { latencies, errors } = await drive(gateway.url, mode, jobs, clients, dispatcher);
    if (mode === 'async') {
      for (let i = 0; i < 6000 && await unfinished(gateway.url, dispatcher) > 0; i += 1) await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = (performance.now() - started) / 1000;
    await gateway.stop();
    const file = readdirSync(profDir).map((f) => join(profDir, f)).sort((a, b) => readFileSync(b).length - readFileSync(a).length)[0];
    // Only the measured run: start-up and warm-up are left out.
    const profile = summarizeProfile(file ? readFileSync(file, 'utf8') : '{"nodes":[],"samples":[],"timeDeltas":[]}', 25, started - gateway.spawnedAt);
    const share = (area: string): number => profile.areas.find((a) => a.area === area)?.share ?? 0;
    const storeShare = { sqlite: share('store: sqlite'), storeCode: share('store: holdfast code'), fileSystem: share('file system'), total: 0 };
    storeShare.total = storeShare.sqlite + storeShare.storeCode + storeShare.fileSystem;
    latencies.sort((a, b) => a - b);
    return { mode, jobs, clients, seconds, jobsPerSecond: jobs / seconds, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99), errors, storeShare, profile };
  } finally {
    await gateway.stop();
    await dispatcher.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One row per mode; everything it starts is stopped before it returns. */
export async function runJobsThroughput(options: JobsThroughputOptions = {}): Promise<JobsThroughputRow[]> {
  const jobs = options.jobs ?? 3000;
  const clients = options.clients ?? 50;
  const sim = await startSimulator({ scenario: simulatorScenario(), clock: new SystemClock(), random: createSeededRandom(1) });
  const rows: JobsThroughputRow[] = [];
  try {
    for (const mode of options.modes ?? ['async', 'sync']) {
      const row = await runMode(mode, jobs, clients, sim.url, options.profileDir);
      rows.push(row);
      options.log?.(formatJobsRow(row));
    }
  } finally {
    await sim.close();
  }
  return rows;
}

export const JOBS_HEADER = 'mode  |  jobs | clients | seconds | jobs/s | p50 ms | p99 ms | errors | store share of CPU (sqlite + store code + fs)';

export function formatJobsRow(r: JobsThroughputRow): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
  return [
    r.mode.padEnd(5), String(r.jobs).padStart(5), String(r.clients).padStart(7), r.seconds.toFixed(1).padStart(7), r.jobsPerSecond.toFixed(0).padStart(6),
    r.p50Ms.toFixed(1).padStart(6), r.p99Ms.toFixed(1).padStart(6), String(r.errors).padStart(6),
    `${pct(r.storeShare.total)} (${pct(r.storeShare.sqlite)} + ${pct(r.storeShare.storeCode)} + ${pct(r.storeShare.fileSystem)})`,
  ].join(' | ');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string): number | undefined => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : undefined; };
  const jobs = arg('--jobs') ?? 3000;
  const clients = arg('--clients') ?? 50;
  console.log(`jobs/s through the full path, SQLite store, simulator at ~0 latency, small JPEG, Node ${process.version}`);
  console.log(JOBS_HEADER);
  const keep = process.argv.indexOf('--keep-profiles');
  const rows = await runJobsThroughput({ jobs, clients, profileDir: keep > 0 ? process.argv[keep + 1] : undefined, log: (line) => console.log(line) });
  for (const r of rows) {
    console.log(`\n${r.mode}: gateway CPU profile of the measured run, top areas:`);
    for (const a of r.profile.areas.slice(0, 12)) console.log(`  ${(a.share * 100).toFixed(1).padStart(5)} %  ${a.area}`);
  }
}
