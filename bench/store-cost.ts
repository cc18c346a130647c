// Store cost benchmark (issue 4): jobs per second through the full path (HTTP in, engine, router,
// upstream adapter, simulator answering at once, JSON out) with the SQLite store and with the memory
// store, and the share of the time spent inside store calls. holdfast, the simulator and the clients
// share this one process and event loop on 127.0.0.1. Prints numbers, asserts nothing about speed.
//   npx tsx bench/store-cost.ts [--jobs 500] [--clients 16]      (npm run bench:store)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Agent, request } from 'undici';
import { createHoldfast } from '../src/app.js';
import { parseConfig } from '../src/config/load.js';
import { startSimulator, parseScenarioYaml, type RunningSimulator } from '../src/simulator/index.js';
import { SystemClock } from '../src/time/clock.js';
import { createSeededRandom, cryptoIds } from '../src/time/random.js';
import { emptyTimes, instrumentStores, type StoreTimes } from './store-timing.js';

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : NaN;
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

const JOBS = flag('jobs', 500);
const CLIENTS = flag('clients', 16);
const WARMUP = 30;
// latency_factor must be > 0: 1e-5 makes a 22 s generation last 0.2 ms, so the upstream answers at once.
const SCENARIO = `
name: store-cost
deployments:
  - { name: gpt-image-1, form: openai, model: gpt-image-1, latency_factor: 0.00001 }
`;
// One prompt for every job: the simulator renders the image once and serves it from its cache.
// Two payloads: a ~180 KB PNG (a small real image) and a ~16 KB JPEG (the path without the bytes).
const PAYLOADS = {
  png: { model: 'gpt-image-1', prompt: 'a small blue square', size: '1024x1024', quality: 'low' },
  'jpeg q50': { model: 'gpt-image-1', prompt: 'a small blue square', size: '1024x1024', quality: 'low', output_format: 'jpeg', output_compression: 50 },
} as const;
type Payload = keyof typeof PAYLOADS;

function configFor(kind: 'sqlite' | 'memory', sim: string, dataDir: string): string {
  return `
listen: { host: 127.0.0.1, port: 0 }
store: { kind: ${kind}, path: "${dataDir}/holdfast.db" }
blobs: { path: "${dataDir}/images" }
models:
  gpt-image-1: { deployments: [sim], queue: { max_depth: 10000 } }
deployments:
  sim: { provider: openai, base_url: "${sim}/v1", api_key: env:UPSTREAM_KEY, model: gpt-image-1 }
`;
}

interface Row {
  store: string;
  payload: Payload;
  responseBytes: number;
  jobsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  times: StoreTimes;
  wallMs: number;
}

async function drive(url: string, body: string, jobs: number, clients: number, dispatcher: Agent): Promise<{ latencies: number[]; responseBytes: number }> {
  const latencies: number[] = [];
  let responseBytes = 0;
  let next = 0;
  const client = async (): Promise<void> => {
    while (next < jobs) {
      next += 1;
      const started = performance.now();
      const res = await request(`${url}/v1/images/generations`, {
        method: 'POST', dispatcher, body, headers: { 'content-type': 'application/json', authorization: 'Bearer bench' },
      });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
      latencies.push(performance.now() - started);
      responseBytes = text.length;
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return { latencies: latencies.sort((a, b) => a - b), responseBytes };
}

async function run(kind: 'sqlite' | 'memory', payload: Payload, sim: RunningSimulator, sink: { current: StoreTimes }): Promise<Row> {
  const body = JSON.stringify(PAYLOADS[payload]);
  const dataDir = mkdtempSync(join(tmpdir(), 'holdfast-bench-'));
  const { config } = parseConfig(configFor(kind, sim.url, dataDir), { UPSTREAM_KEY: 'sk-bench' }, 'bench.yaml');
  const holdfast = await createHoldfast({
    clock: new SystemClock(), random: createSeededRandom(2), ids: cryptoIds, log: pino({ level: 'silent' }),
  }, config);
  const dispatcher = new Agent({ connections: CLIENTS });
  try {
    const url = await holdfast.start();
    await drive(url, body, WARMUP, CLIENTS, dispatcher);
    const times = emptyTimes();
    sink.current = times;
    const started = performance.now();
    const { latencies, responseBytes } = await drive(url, body, JOBS, CLIENTS, dispatcher);
    const wallMs = performance.now() - started;
    sink.current = emptyTimes();
    const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
    return { store: kind, payload, responseBytes, jobsPerSecond: (JOBS / wallMs) * 1000, p50Ms: at(0.5), p99Ms: at(0.99), times, wallMs };
  } finally {
    await dispatcher.close();
    await holdfast.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function printTable(rows: Row[]): void {
  const header = ['store', 'image', 'response', 'jobs/s', 'p50 ms', 'p99 ms', 'store calls/job', 'store ms/job', 'store share', 'blob ms/job*'];
  const lines = rows.map((r) => [
    r.store, r.payload, `${(r.responseBytes / 1024).toFixed(0)} KB`, r.jobsPerSecond.toFixed(0), r.p50Ms.toFixed(1), r.p99Ms.toFixed(1),
    (r.times.calls.state / JOBS).toFixed(1), (r.times.ms.state / JOBS).toFixed(3),
    `${((r.times.ms.state / r.wallMs) * 100).toFixed(1)} %`, (r.times.ms.blobs / JOBS).toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  process.stdout.write([format(header), format(widths.map((w) => '-'.repeat(w))), ...lines.map(format)].join('\n') + '\n');
}

function printMethods(row: Row): void {
  const top = [...row.times.byMethod.entries()].filter(([name]) => !name.startsWith('DiskBlobStore'))
    .sort((a, b) => b[1].ms - a[1].ms).slice(0, 6);
  process.stdout.write(`\n${row.store}, ${row.payload}: time per store method (all ${JOBS} jobs)\n`);
  for (const [name, { calls, ms }] of top) {
    process.stdout.write(`  ${name.padEnd(34)} ${String(calls).padStart(6)} calls ${ms.toFixed(1).padStart(8)} ms  (${((ms / calls) * 1000).toFixed(0)} µs/call)\n`);
  }
}

async function main(): Promise<void> {
  const sink = { current: emptyTimes() };
  instrumentStores(sink);
  const sim = await startSimulator({ scenario: parseScenarioYaml(SCENARIO, 'store-cost.yaml'), clock: new SystemClock(), random: createSeededRandom(1), seed: 1 });
  process.stdout.write(`store cost: ${JOBS} jobs per row, ${CLIENTS} concurrent clients, 1024x1024 low, non-streaming, simulator at ~0 latency\n\n`);
  try {
    const rows: Row[] = [];
    for (const payload of Object.keys(PAYLOADS) as Payload[]) {
      for (const kind of ['memory', 'sqlite'] as const) rows.push(await run(kind, payload, sim, sink));
    }
    printTable(rows);
    process.stdout.write('\nstore share: time inside job, event-log and idempotency calls (synchronous, on the event loop) / wall time.\n');
    process.stdout.write('* blob ms/job: awaited disk writes and reads of the result image; they overlap other work, so not a share.\n');
    for (const row of rows.filter((r) => r.payload === 'png')) printMethods(row);
  } finally {
    await sim.close();
  }
}

await main();
