// Overhead benchmark (issues 3, 11): latency holdfast adds over a bare pass-through proxy, for small
// JSON answers at 1, 50 and 200 concurrent clients, and relay throughput and peak memory for a 25 MB
// image. holdfast runs as its own process (default SQLite store), the simulator and a 25 MB fake
// upstream run in this one; everything is on 127.0.0.1 and bounded in time. Prints numbers, asserts nothing.
//   npx tsx bench/overhead.ts [--seconds 5]
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { request } from 'undici';
import { startSimulator, parseScenarioYaml } from '../src/simulator/index.js';
import { SystemClock } from '../src/time/clock.js';
import { createSeededRandom } from '../src/time/random.js';
import { runSmallCalls, SMALL_CALL_HEADER } from './small-calls.js';
import { startGateway } from './bench-gateway.js';

const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 5;

function bigUpstream(b64: string): Promise<{ server: Server; url: string }> {
  const completed = JSON.stringify({ type: 'image_generation.completed', b64_json: b64, created_at: 1, size: '3840x2160', quality: 'high', background: 'opaque', output_format: 'png', usage: { total_tokens: 1, input_tokens: 1, output_tokens: 0, input_tokens_details: { text_tokens: 1, image_tokens: 0 } } });
  const json = JSON.stringify({ created: 1, data: [{ b64_json: b64 }], output_format: 'png', size: '3840x2160' });
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      if (JSON.parse(body).stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(`event: image_generation.completed\ndata: ${completed}\n\n`);
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(json);
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    resolve({ server, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` });
  }));
}

function memoryKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

async function timeBig(url: string, stream: boolean): Promise<number> {
  const started = performance.now();
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' }, body: JSON.stringify({ model: 'big', prompt: 'a 4K poster', size: '3840x2160', stream }) });
  let bytes = 0;
  for await (const chunk of res.body) bytes += (chunk as Buffer).length;
  if (res.statusCode !== 200 || bytes < 25_000_000) throw new Error(`big answer: ${res.statusCode}, ${bytes} bytes`);
  return performance.now() - started;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-bench-'));
  const scenario = parseScenarioYaml(`name: bench\ndeployments:\n  - { name: gpt-image-2, form: openai, model: gpt-image-2, latency_factor: 0.000001 }\n`, 'bench.yaml');
  const sim = await startSimulator({ scenario, clock: new SystemClock(), random: createSeededRandom(1) });
  // A real 3840x2160 PNG of noise (about 25 MB, incompressible): holdfast decodes and checks every
  // image before a job succeeds (upstream/check-images.ts), so random bytes would be refused.
  const png = await sharp({ create: { width: 3840, height: 2160, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } } })
    .png({ compressionLevel: 1 }).toBuffer();
  const b64 = png.toString('base64');
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
    const rssBefore = memoryKb(gateway.pid, 'VmRSS');
    console.log(`\n25 MB image (${(b64.length / 1e6).toFixed(1)} MB of base64), 3 runs each, best time`);
    console.log('mode       | direct ms | holdfast ms | holdfast MB/s');
    for (const stream of [false, true]) {
      const runs = async (url: string): Promise<number> => Math.min(await timeBig(url, stream), await timeBig(url, stream), await timeBig(url, stream));
      const direct = await runs(`${big.url}/v1/images/generations`);
      const via = await runs(`${gateway.url}/v1/images/generations`);
      console.log(`${(stream ? 'stream' : 'json').padEnd(10)} | ${direct.toFixed(0).padStart(9)} | ${via.toFixed(0).padStart(11)} | ${(b64.length / 1e6 / (via / 1000)).toFixed(1).padStart(13)}`);
    }
    console.log(`\nholdfast RSS before the 25 MB runs: ${(rssBefore / 1024).toFixed(0)} MB; peak RSS of the whole run (VmHWM): ${(memoryKb(gateway.pid, 'VmHWM') / 1024).toFixed(0)} MB`);
  } finally {
    await gateway.stop();
    big.server.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
