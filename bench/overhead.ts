// Overhead benchmark (issue 3): latency holdfast adds over calling the simulator directly, for small
// JSON answers at 1, 50 and 200 concurrent clients, and relay throughput and peak memory for a 25 MB
// image. holdfast runs as its own process (default SQLite store), the simulator and a 25 MB fake
// upstream run in this one; everything is on 127.0.0.1 and bounded in time. Prints numbers, asserts nothing.
//   npx tsx bench/overhead.ts [--seconds 5]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { bigPngB64, bigUpstream, memoryBytes, startGateway, timeGeneration } from './harness.js';
import { startSimulator, parseScenarioYaml } from '../src/simulator/index.js';
import { SystemClock } from '../src/time/clock.js';
import { createSeededRandom } from '../src/time/random.js';

const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 5;
const SMALL_BODY = JSON.stringify({ model: 'gpt-image-2', prompt: 'a small red square', size: '1024x640', quality: 'low', output_format: 'jpeg', output_compression: 5 });

async function latency(url: string, connections: number): Promise<{ p50: number; p99: number; rps: number; errors: number }> {
  const r = await autocannon({ url, method: 'POST', body: SMALL_BODY, headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' }, connections, duration: seconds });
  return { p50: r.latency.p50, p99: r.latency.p99, rps: r.requests.average, errors: r.errors + r.non2xx };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-bench-'));
  const scenario = parseScenarioYaml(`name: bench\ndeployments:\n  - { name: gpt-image-2, form: openai, model: gpt-image-2, latency_factor: 0.000001 }\n`, 'bench.yaml');
  const sim = await startSimulator({ scenario, clock: new SystemClock(), random: createSeededRandom(1) });
  // A real 3840x2160 PNG of noise (about 25 MB, incompressible): holdfast checks every image's
  // structure before a job succeeds (upstream/check-images.ts), so random bytes would be refused.
  const b64 = await bigPngB64();
  const big = await bigUpstream(b64);
  const gateway = await startGateway(`
listen: { host: 127.0.0.1, port: 0 }
store: { kind: sqlite, path: "${dir}/holdfast.db" }
blobs: { path: "${dir}/images" }
log: { level: warn }
models:
  gpt-image-2: { deployments: [sim], queue: { max_depth: 10000 } }
  big: { deployments: [big] }
deployments:
  sim: { provider: openai, base_url: "${sim.url}/v1", api_key: env:BENCH_KEY, model: gpt-image-2 }
  big: { provider: openai, base_url: "${big.url}/v1", api_key: env:BENCH_KEY, model: gpt-image-2 }
`, dir);
  try {
    console.log(`holdfast overhead, ${seconds} s per run, Node ${process.version}, 2 cores shared by client, gateway and upstream\n`);
    console.log('small JSON answers (1024x640 jpeg, ~few KB): latency in ms');
    console.log('clients | direct p50 | direct p99 | holdfast p50 | holdfast p99 | added p50 | added p99 | holdfast req/s | errors');
    for (const c of [1, 50, 200]) {
      const direct = await latency(`${sim.url}/v1/images/generations`, c);
      const via = await latency(`${gateway.url}/v1/images/generations`, c);
      console.log(`${String(c).padStart(7)} | ${direct.p50.toFixed(1).padStart(10)} | ${direct.p99.toFixed(1).padStart(10)} | ${via.p50.toFixed(1).padStart(12)} | ${via.p99.toFixed(1).padStart(12)} | ${(via.p50 - direct.p50).toFixed(1).padStart(9)} | ${(via.p99 - direct.p99).toFixed(1).padStart(9)} | ${via.rps.toFixed(0).padStart(14)} | ${direct.errors + via.errors}`);
    }
    const rssBefore = memoryBytes(gateway.pid, 'VmRSS') / 1024;
    console.log(`\n25 MB image (${(b64.length / 1e6).toFixed(1)} MB of base64), 3 runs each, best time`);
    console.log('mode       | direct ms | holdfast ms | holdfast MB/s');
    for (const stream of [false, true]) {
      const once = async (url: string): Promise<number> => (await timeGeneration(url, { model: 'big', prompt: 'a 4K poster', size: '3840x2160', stream }, 25_000_000)).ms;
      const runs = async (url: string): Promise<number> => Math.min(await once(url), await once(url), await once(url));
      const direct = await runs(big.url);
      const via = await runs(gateway.url);
      console.log(`${(stream ? 'stream' : 'json').padEnd(10)} | ${direct.toFixed(0).padStart(9)} | ${via.toFixed(0).padStart(11)} | ${(b64.length / 1e6 / (via / 1000)).toFixed(1).padStart(13)}`);
    }
    console.log(`\nholdfast RSS before the 25 MB runs: ${(rssBefore / 1024).toFixed(0)} MB; peak RSS of the whole run (VmHWM): ${(memoryBytes(gateway.pid, 'VmHWM') / 1024 / 1024).toFixed(0)} MB`);
  } finally {
    await gateway.stop();
    await big.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
