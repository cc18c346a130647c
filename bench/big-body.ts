// Issue 11's big-body targets: a 25 MB image (a real 3840x2160 noise PNG, 34.9 MB of base64) relayed
// as JSON and as a stream, holdfast's time beside a bare pass-through proxy's in the same run and
// holdfast's peak RSS growth per request in flight; and a 3840x2160 result with n: 2 under 8
// concurrent requests against 1 GiB of RSS. holdfast is its own process (SQLite store).
//   npx tsx bench/big-body.ts [--quick] [--cpu-prof DIR]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBareProxy } from './bare-proxy.js';
import { bigPngB64, bigUpstream, memoryBytes, printTable, resetPeak, startGateway, timeGeneration, type BenchRow } from './harness.js';

const MB = 1024 * 1024;
const BIG = { model: 'big', prompt: 'a 4K poster', size: '3840x2160' };

export async function runBigBody(options: { quick?: boolean; cpuProfDir?: string } = {}): Promise<BenchRow[]> {
  const runs = options.quick ? 2 : 5;
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-bench-big-'));
  const b64 = await bigPngB64();
  const upstream = await bigUpstream(b64);
  const proxy = await startBareProxy(upstream.url);
  const config = `
listen: { host: 127.0.0.1, port: 0 }
store: { kind: sqlite, path: "${dir}/holdfast.db" }
blobs: { path: "${dir}/images" }
log: { level: warn }
models:
  big: { deployments: [big] }
deployments:
  big: { provider: openai, base_url: "${upstream.url}/v1", api_key: env:BENCH_KEY, model: gpt-image-2 }
`;
  const gatewayOptions = { cpuProfDir: options.cpuProfDir };
  const rows: BenchRow[] = [];
  const growths: number[] = [];
  try {
    for (const stream of [false, true]) {
      // A fresh process per mode: growth is the peak over its idle RSS, so memory one run kept
      // (a heap grown and not given back) counts, rather than hiding the next run's growth.
      const gateway = await startGateway(config, dir, gatewayOptions);
      const fields = { ...BIG, stream };
      const times = { holdfast: [] as number[], proxy: [] as number[] };
      const idle = memoryBytes(gateway.pid, 'VmRSS');
      resetPeak(gateway.pid);
      try {
        for (let i = 0; i < runs; i += 1) {
          times.proxy.push((await timeGeneration(proxy.url, fields, b64.length)).ms);
          times.holdfast.push((await timeGeneration(gateway.url, fields, b64.length)).ms);
        }
      } finally {
        growths.push(memoryBytes(gateway.pid, 'VmHWM') - idle);
        await gateway.stop();
      }
      const via = Math.min(...times.holdfast);
      const bare = Math.min(...times.proxy);
      const mode = stream ? 'stream' : 'JSON';
      rows.push({ target: `25 MB image as ${mode}: time (best of ${runs})`, holdfast: `${via.toFixed(0)} ms`, reference: `bare proxy ${bare.toFixed(0)} ms`, ratio: `${(via / bare).toFixed(2)}x`, limit: '<= 1.5x', met: via <= 1.5 * bare });
      const growth = growths[growths.length - 1];
      rows.push({ target: `25 MB image as ${mode}: peak RSS growth over idle`, holdfast: `${(growth / MB).toFixed(0)} MB`, reference: `body ${(b64.length / MB).toFixed(1)} MB`, ratio: `${(growth / b64.length).toFixed(2)}x`, limit: '<= 2x body', met: growth <= 2 * b64.length });
    }
    // n: 2 under 8 concurrent requests: 16 images of 25 MB in flight at once.
    const gateway = await startGateway(config, dir, gatewayOptions);
    const started = performance.now();
    let peak = 0;
    try {
      await Promise.all(Array.from({ length: 8 }, () => timeGeneration(gateway.url, { ...BIG, n: 2 }, 2 * b64.length)));
      peak = memoryBytes(gateway.pid, 'VmHWM');
    } finally {
      await gateway.stop();
    }
    rows.push({ target: '3840x2160 PNG, n: 2, 8 concurrent: peak RSS', holdfast: `${(peak / MB).toFixed(0)} MB`, reference: `${((performance.now() - started) / 1000).toFixed(1)} s for all 8`, ratio: '', limit: '<= 1024 MB', met: peak <= 1024 * MB });
  } finally {
    await proxy.close();
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf('--cpu-prof');
  printTable(await runBigBody({ quick: process.argv.includes('--quick'), cpuProfDir: at > 0 ? process.argv[at + 1] : undefined }));
}
