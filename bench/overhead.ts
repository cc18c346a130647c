// Overhead benchmark (issues 3, 11): latency holdfast adds over a bare pass-through proxy, for small
// JSON answers at 1, 50 and 200 concurrent clients, and relay throughput and peak memory for a 25 MB
// image. holdfast runs as its own process (default SQLite store), the simulator and a 25 MB fake
// upstream run in this one; everything is on 127.0.0.1 and bounded in time. Prints numbers, asserts nothing.
//   npx tsx bench/overhead.ts [--seconds 5]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bigPngB64, bigUpstream, memoryBytes, startGateway, timeGeneration } from './harness.js';
import { startSimulator, parseScenarioYaml } from '../src/simulator/index.js';
import { SystemClock } from '../src/time/clock.js';
import { createSeededRandom } from '../src/time/random.js';
import { runSmallCalls, SMALL_CALL_HEADER } from './small-calls.js';

const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 5;

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
    // bench/small-calls.ts: direct, a bare pass-through proxy and holdfast (its own gateway) in one run.
    console.log('small JSON answers (1024x640 jpeg, ~few KB): latency in ms; added = holdfast minus the bare proxy');
    console.log(SMALL_CALL_HEADER);
    await runSmallCalls({ seconds, log: (line) => console.log(line) });
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
