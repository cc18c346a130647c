// Small-call overhead (issues 3 and 11): small JSON image calls (1024x640 jpeg) at 1, 50 and 200
// connections, straight to the simulator ("direct"), through a bare pass-through proxy (the
// reference) and through holdfast (its own process, SQLite store, durability as documented).
// The issue 11 target: at 50 connections holdfast serves >= 50 % of the bare proxy's req/s and adds
// <= 25 ms p99 over it. Prints numbers, asserts nothing.
//   npx tsx bench/small-calls.ts [--seconds 5] [--connections 1,50,200] [--cpu-prof DIR]
// BENCH_BLOBS=DIR puts the image blobs there (e.g. /dev/shm, to see what the disk costs).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { startSimulator, parseScenarioYaml } from '../src/simulator/index.js';
import { SystemClock } from '../src/time/clock.js';
import { createSeededRandom } from '../src/time/random.js';
import { startBareProxy } from './bare-proxy.js';
import { startGateway } from './bench-gateway.js';

export const SMALL_BODY = JSON.stringify({ model: 'gpt-image-2', prompt: 'a small red square', size: '1024x640', quality: 'low', output_format: 'jpeg', output_compression: 5 });

export interface Latency {
  p50: number;
  p99: number;
  rps: number;
  errors: number;
}

export interface SmallCallRow {
  connections: number;
  direct: Latency;
  proxy: Latency;
  holdfast: Latency;
  /** holdfast req/s over the bare proxy's, in this run. */
  throughputRatio: number;
  /** holdfast p50/p99 minus the bare proxy's. */
  addedP50Ms: number;
  addedP99Ms: number;
}

export interface SmallCallOptions {
  seconds: number;
  connections?: number[];
  /** Write holdfast's CPU profile there (node --cpu-prof). */
  cpuProfDir?: string;
  /** Extra body headers, e.g. { prefer: 'respond-async' }. */
  headers?: Record<string, string>;
  log?: (line: string) => void;
}

export async function latency(url: string, connections: number, seconds: number, headers: Record<string, string> = {}): Promise<Latency> {
  const r = await autocannon({ url, method: 'POST', body: SMALL_BODY, headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench', ...headers }, connections, duration: seconds });
  return { p50: r.latency.p50, p99: r.latency.p99, rps: r.requests.average, errors: r.errors + r.non2xx };
}

export function simulatorScenario(): ReturnType<typeof parseScenarioYaml> {
  return parseScenarioYaml(`name: bench\ndeployments:\n  - { name: gpt-image-2, form: openai, model: gpt-image-2, latency_factor: 0.000001 }\n`, 'bench.yaml');
}

export function gatewayConfig(dir: string, simUrl: string, extra = ''): string {
  return `
listen: { host: 127.0.0.1, port: 0 }
store: { kind: sqlite, path: "${dir}/holdfast.db" }
blobs: { path: "${process.env.BENCH_BLOBS ?? dir}/images" }
log: { level: warn }
models:
  gpt-image-2: { deployments: [sim], queue: { max_depth: 10000 } }
deployments:
  sim: { provider: openai, base_url: "${simUrl}/v1", api_key: env:BENCH_KEY, model: gpt-image-2 }
${extra}`;
}

/** One row per connection count; everything it starts is stopped before it returns. */
export async function runSmallCalls(options: SmallCallOptions): Promise<SmallCallRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-bench-small-'));
  const sim = await startSimulator({ scenario: simulatorScenario(), clock: new SystemClock(), random: createSeededRandom(1) });
  const proxy = await startBareProxy(sim.url);
  const gateway = await startGateway(gatewayConfig(dir, sim.url), dir, { cpuProfDir: options.cpuProfDir });
  const rows: SmallCallRow[] = [];
  try {
    const path = '/v1/images/generations';
    // One short warm-up each: JIT, connection pools, the simulator's image cache.
    await latency(`${proxy.url}${path}`, 10, 1);
    await latency(`${gateway.url}${path}`, 10, 1);
    for (const c of options.connections ?? [1, 50, 200]) {
      const direct = await latency(`${sim.url}${path}`, c, options.seconds);
      const viaProxy = await latency(`${proxy.url}${path}`, c, options.seconds);
      const via = await latency(`${gateway.url}${path}`, c, options.seconds, options.headers);
      const row: SmallCallRow = {
        connections: c, direct, proxy: viaProxy, holdfast: via,
        throughputRatio: viaProxy.rps > 0 ? via.rps / viaProxy.rps : 0,
        addedP50Ms: via.p50 - viaProxy.p50, addedP99Ms: via.p99 - viaProxy.p99,
      };
      rows.push(row);
      options.log?.(formatSmallCallRow(row));
    }
  } finally {
    await gateway.stop();
    await proxy.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

export const SMALL_CALL_HEADER = 'clients | direct p50/p99 | proxy p50/p99 | proxy req/s | holdfast p50/p99 | holdfast req/s | holdfast/proxy | added p50 | added p99 | errors';

export function formatSmallCallRow(r: SmallCallRow): string {
  const pair = (l: Latency): string => `${l.p50.toFixed(1)}/${l.p99.toFixed(1)}`;
  return [
    String(r.connections).padStart(7), pair(r.direct).padStart(15), pair(r.proxy).padStart(13), r.proxy.rps.toFixed(0).padStart(11),
    pair(r.holdfast).padStart(16), r.holdfast.rps.toFixed(0).padStart(14), `${(r.throughputRatio * 100).toFixed(0)} %`.padStart(14),
    r.addedP50Ms.toFixed(1).padStart(9), r.addedP99Ms.toFixed(1).padStart(9), String(r.direct.errors + r.proxy.errors + r.holdfast.errors).padStart(6),
  ].join(' | ');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string): string | undefined => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
  const seconds = Number(arg('--seconds')) || 5;
  console.log(`small JSON calls (1024x640 jpeg), ${seconds} s per run, Node ${process.version}; latency in ms; added = holdfast minus the bare proxy`);
  console.log(SMALL_CALL_HEADER);
  const connections = arg('--connections')?.split(',').map(Number);
  await runSmallCalls({ seconds, connections, cpuProfDir: arg('--cpu-prof'), log: (line) => console.log(line) });
}
