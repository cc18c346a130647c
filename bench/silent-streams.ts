// Issue 11's silent-stream target: N OpenAI-format streams (`stream: true`) held open by one holdfast
// process, each on a long upstream call that sends nothing after its headers, so the only bytes a
// client sees are `: keepalive` comments. Reports holdfast's RSS per held stream (over its RSS with
// no stream) and the gap between heartbeats as clients see them (p99) against the interval.
// Everything on 127.0.0.1; this process holds 2N sockets (check `ulimit -n`).
//   npx tsx bench/silent-streams.ts [--streams 8000] [--interval-ms 1000] [--quick] [--heap-snapshot DIR] [--cpu-prof DIR]
import { Agent, createServer, request, type ClientRequest, type IncomingMessage } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listen, memoryBytes, percentile, printTable, startGateway, type BenchRow } from './harness.js';

const KB = 1024;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits (up to 2 min) until dir holds `count` heap snapshots and they have stopped growing. */
async function snapshotWritten(dir: string, count: number): Promise<void> {
  let last = -1;
  for (let i = 0; i < 120; i += 1) {
    await sleep(1000);
    const files = readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot'));
    const size = files.reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
    if (files.length >= count && statSync(join(dir, files.sort().at(-1) ?? '')).size > 0 && size === last) return;
    last = size;
  }
}

interface Held {
  req: ClientRequest;
  res?: IncomingMessage;
  last: number;
  beats: number;
}

export async function runSilentStreams(options: { streams?: number; intervalMs?: number; quick?: boolean; heapSnapshotDir?: string; cpuProfDir?: string } = {}): Promise<BenchRow[]> {
  const streams = options.streams ?? (options.quick ? 2000 : 8000);
  const intervalMs = options.intervalMs ?? 1000;
  const windowBeats = options.quick ? 3 : 6;
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-bench-silent-'));
  // The upstream answers 200 text/event-stream and then nothing, until the call is cut.
  const upstream = await listen(createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/event-stream' }).flushHeaders());
  }));
  upstream.server.maxConnections = streams + 100;
  const gateway = await startGateway(`
listen: { host: 127.0.0.1, port: 0 }
store: { kind: sqlite, path: "${dir}/holdfast.db" }
blobs: { path: "${dir}/images" }
log: { level: warn }
limits: { max_connections_per_address: ${streams + 1000} }
streaming: { heartbeat_interval_ms: ${intervalMs} }
models:
  slow: { deployments: [slow], queue: { max_depth: ${streams + 1000} } }
deployments:
  slow: { provider: openai, base_url: "${upstream.url}/v1", api_key: env:BENCH_KEY, model: gpt-image-2, upstream_mode: stream, idle_timeout_ms: null, response_timeout_ms: null }
`, dir, {
    nodeArgs: options.heapSnapshotDir ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${options.heapSnapshotDir}`] : [],
    cpuProfDir: options.cpuProfDir,
  });
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  const held: Held[] = [];
  const gaps: number[] = [];
  let measuring = false;
  const open = (): Promise<void> => new Promise((resolve, reject) => {
    const body = JSON.stringify({ model: 'slow', prompt: 'a quiet afternoon', size: '1024x1024', stream: true });
    const target = new URL(`${gateway.url}/v1/images/generations`);
    const h: Held = { req: request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench', 'content-length': Buffer.byteLength(body) } }), last: 0, beats: 0 };
    h.req.on('response', (res) => {
      h.res = res;
      h.last = performance.now();
      if (res.statusCode !== 200) reject(new Error(`stream answered ${res.statusCode}`));
      res.on('data', () => {
        const now = performance.now();
        if (measuring && h.beats > 0) gaps.push(now - h.last);
        h.beats += 1;
        h.last = now;
      });
      resolve();
    });
    h.req.on('error', reject);
    h.req.end(body);
    held.push(h);
  });
  try {
    for (let i = 0; i < 20; i += 1) await open(); // warm the code paths before the idle reading
    for (const h of held.splice(0)) h.req.destroy();
    await sleep(1000);
    const idle = memoryBytes(gateway.pid, 'VmRSS');
    if (options.heapSnapshotDir) {
      // One at idle, one with the streams held: their difference is what the streams hold.
      process.kill(gateway.pid, 'SIGUSR2');
      await snapshotWritten(options.heapSnapshotDir, 1);
    }
    for (let i = 0; i < streams; i += 200) await Promise.all(Array.from({ length: Math.min(200, streams - i) }, () => open()));
    await sleep(2 * intervalMs);
    const rss = memoryBytes(gateway.pid, 'VmRSS');
    // The clients and the upstream share this process: its own event-loop delay bounds how late it
    // can see a heartbeat that holdfast wrote on time.
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    measuring = true;
    await sleep(windowBeats * intervalMs + intervalMs / 2);
    measuring = false;
    lag.disable();
    const rssAfter = memoryBytes(gateway.pid, 'VmRSS');
    if (options.heapSnapshotDir) {
      process.kill(gateway.pid, 'SIGUSR2');
      await snapshotWritten(options.heapSnapshotDir, 2);
    }
    const perStream = (Math.max(rss, rssAfter) - idle) / streams;
    const p99 = percentile(gaps, 99);
    const silent = held.filter((h) => h.beats === 0).length;
    return [
      { target: `${streams} silent streams: RSS per stream`, holdfast: `${(perStream / KB).toFixed(1)} KB`, reference: `idle RSS ${(idle / KB / KB).toFixed(0)} MB`, ratio: '', limit: '<= 20 KB', met: perStream <= 20 * KB },
      { target: `${streams} silent streams: heartbeat gap p99`, holdfast: `${p99.toFixed(0)} ms`, reference: `interval ${intervalMs} ms; client loop delay p99 ${(lag.percentile(99) / 1e6).toFixed(0)} ms${silent ? `; ${silent} streams silent` : ''}`, ratio: `+${(p99 - intervalMs).toFixed(0)} ms`, limit: '<= interval + 50 ms', met: p99 <= intervalMs + 50 && silent === 0 },
    ];
  } finally {
    for (const h of held) h.req.destroy();
    agent.destroy();
    await gateway.stop();
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string): number | undefined => {
    const at = process.argv.indexOf(name);
    return at > 0 ? Number(process.argv[at + 1]) : undefined;
  };
  const snapshot = process.argv.indexOf('--heap-snapshot');
  const profile = process.argv.indexOf('--cpu-prof');
  printTable(await runSilentStreams({
    streams: arg('--streams'), intervalMs: arg('--interval-ms'), quick: process.argv.includes('--quick'),
    heapSnapshotDir: snapshot > 0 ? process.argv[snapshot + 1] : undefined,
    cpuProfDir: profile > 0 ? process.argv[profile + 1] : undefined,
  }));
}
