// Scale-out benchmark (issue 10): jobs/s and the latency holdfast adds over calling the simulator
// directly, with 1 replica on SQLite, 1 replica on Redis and 3 replicas on Redis, in one run, and the
// Redis round trips per job (client commands seen by MONITOR, background loops subtracted). Gateways
// are child processes; the simulator (near-zero latency) and a private redis-server (AOF everysec)
// run here. Everything on 127.0.0.1, bounded in time. Prints numbers, asserts nothing.
//   npx tsx bench/cluster.ts [--seconds 5] [--connections 30]
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { request } from 'undici';
import { Redis } from 'ioredis';
import { startSimulator, parseScenarioYaml } from '../src/simulator/index.js';
import { SystemClock } from '../src/time/clock.js';
import { createSeededRandom } from '../src/time/random.js';

const arg = (name: string, fallback: number): number => Number(process.argv[process.argv.indexOf(name) + 1]) || fallback;
const seconds = arg('--seconds', 5);
const connections = arg('--connections', 30);
const BODY = JSON.stringify({ model: 'gpt-image-2', prompt: 'a small red square', size: '1024x640', quality: 'low', output_format: 'jpeg', output_compression: 5 });
const headers = { 'content-type': 'application/json', authorization: 'Bearer sk-bench' };

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

async function startGateway(config: string, dir: string, name: string, env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, config);
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve', '--config', file, '--port', String(port)], {
    stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, BENCH_KEY: 'sk-bench', ...env },
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 1200; i += 1) {
    const up = await request(`${url}/readyz`).then((r) => r.body.text().then(() => r.statusCode === 200), () => false);
    if (up) return { url, child };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${name} did not start`);
}

async function stopGateway(g: { child: ChildProcess }): Promise<void> {
  if (g.child.exitCode !== null) return;
  const exited = once(g.child, 'exit');
  g.child.kill('SIGTERM');
  await exited;
}

interface Load { rps: number; p50: number; p99: number; errors: number }

async function load(urls: string[], total: number): Promise<Load> {
  const per = Math.max(1, Math.round(total / urls.length));
  const runs = await Promise.all(urls.map((url) => autocannon({ url: `${url}/v1/images/generations`, method: 'POST', body: BODY, headers, connections: per, duration: seconds })));
  return {
    rps: runs.reduce((sum, r) => sum + r.requests.average, 0),
    p50: runs.reduce((sum, r) => sum + r.latency.p50, 0) / runs.length,
    p99: Math.max(...runs.map((r) => r.latency.p99)),
    errors: runs.reduce((sum, r) => sum + r.errors + r.non2xx, 0),
  };
}

/**
 * Client commands (not those run inside scripts) that reach Redis while `run` runs. MONITOR on a plain
 * socket: one `+<time> [<db> <client>] "CMD" ...` line per command, `[0 lua]` for those inside scripts
 * (ioredis's monitor() races its own command queue under load: "Command queue state error").
 */
async function countCommands(port: number, run: () => Promise<void>): Promise<{ total: number; ms: number; byCommand: Map<string, number> }> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const byCommand = new Map<string, number>();
  let total = 0;
  let rest = '';
  let started = false;
  socket.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString('utf8')).split('\r\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '+OK') { started = true; continue; }
      const m = /^\+\d+\.\d+ \[\d+ ([^\]]+)\] "([^"]+)"/.exec(line);
      if (!started || !m || m[1] === 'lua') continue;
      total += 1;
      const name = m[2].toLowerCase();
      byCommand.set(name, (byCommand.get(name) ?? 0) + 1);
    }
  });
  socket.write('MONITOR\r\n');
  while (!started) await new Promise((resolve) => setTimeout(resolve, 5));
  const t0 = performance.now();
  await run();
  const ms = performance.now() - t0;
  await new Promise((resolve) => setTimeout(resolve, 200));
  socket.destroy();
  return { total, ms, byCommand };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-cluster-bench-'));
  const scenario = parseScenarioYaml('name: bench\ndeployments:\n  - { name: gpt-image-2, form: openai, model: gpt-image-2, latency_factor: 0.000001 }\n', 'bench.yaml');
  const sim = await startSimulator({ scenario, clock: new SystemClock(), random: createSeededRandom(1) });
  const redisPort = await freePort();
  const redisServer = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec'], { stdio: 'ignore' });
  for (let i = 0; i < 200 && !(await answers(redisPort)); i += 1) await new Promise((r) => setTimeout(r, 25));
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const common = (store: string): string => `
listen: { host: 127.0.0.1, port: 0 }
log: { level: warn }
auth: { keys: [env:BENCH_KEY] }
${store}
blobs: { path: "${dir}/blobs" }
models:
  gpt-image-2: { deployments: [sim], queue: { max_depth: 10000 } }
deployments:
  sim: { provider: openai, base_url: "${sim.url}/v1", api_key: env:BENCH_KEY, model: gpt-image-2 }
`;
  const gateways: { child: ChildProcess }[] = [];
  try {
    console.log(`holdfast scale-out, ${seconds} s per run, ${connections} clients in total, Node ${process.version}, ${(await import('node:os')).cpus().length} cores shared by clients, gateways, Redis and upstream\n`);
    const direct1 = await load([sim.url], 1);
    const directN = await load([sim.url], connections);
    const sqlite = await startGateway(common(`store: { kind: sqlite, path: "${dir}/holdfast.db" }`), dir, 'sqlite', {});
    gateways.push(sqlite);
    const redisCfg = common(`store: { kind: redis, url: env:REDIS_URL, prefix: "bench:" }`);
    const replicas: { url: string; child: ChildProcess }[] = [];
    for (let i = 0; i < 3; i += 1) replicas.push(await startGateway(redisCfg, dir, `redis-${i}`, { REDIS_URL: redisUrl }));
    gateways.push(...replicas);

    const rows: [string, string[]][] = [['1 replica, SQLite', [sqlite.url]], ['1 replica, Redis', [replicas[0].url]], ['3 replicas, Redis', replicas.map((r) => r.url)]];
    console.log('setup             | jobs/s | p50 ms | p99 ms | added p50 at 1 client (ms) | errors');
    console.log(`direct simulator  | ${directN.rps.toFixed(0).padStart(6)} | ${directN.p50.toFixed(1).padStart(6)} | ${directN.p99.toFixed(1).padStart(6)} | ${'0'.padStart(26)} | ${directN.errors}`);
    for (const [name, urls] of rows) {
      const one = await load([urls[0]], 1);
      const many = await load(urls, connections);
      console.log(`${name.padEnd(17)} | ${many.rps.toFixed(0).padStart(6)} | ${many.p50.toFixed(1).padStart(6)} | ${many.p99.toFixed(1).padStart(6)} | ${(one.p50 - direct1.p50).toFixed(1).padStart(26)} | ${many.errors + one.errors}`);
    }

    // Jobs whose clients left when a load run ended still run: wait for them, so that "idle" is idle.
    const probe = new Redis(redisUrl);
    for (let i = 0; i < 600 && (await probe.zcard('bench:jobs:unfinished')) > 0; i += 1) await new Promise((r) => setTimeout(r, 100));
    probe.disconnect();
    // Round trips: background (renewals, takeover scans, XREAD blocks) for 3 s idle, then 100 sequential jobs.
    const idle = await countCommands(redisPort, () => new Promise((resolve) => setTimeout(resolve, 3_000)));
    const jobs = 100;
    const busy = await countCommands(redisPort, async () => {
      for (let i = 0; i < jobs; i += 1) {
        const res = await request(`${replicas[0].url}/v1/images/generations`, { method: 'POST', headers, body: BODY });
        await res.body.dump();
      }
    });
    const background = (idle.total / idle.ms) * busy.ms;
    const perJob = (busy.total - background) / jobs;
    const top = [...busy.byCommand].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([c, n]) => `${c} ${(n / jobs).toFixed(1)}`).join(', ');
    console.log(`\nRedis round trips per job (JSON request on one of 3 replicas): ${perJob.toFixed(1)} (${busy.total} commands for ${jobs} jobs in ${(busy.ms / 1000).toFixed(1)} s, minus ${background.toFixed(0)} background)`);
    console.log(`by command per job (background included): ${top}`);
    const idleTop = [...idle.byCommand].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([c, n]) => `${c} ${(n / idle.ms * 1000).toFixed(1)}`).join(', ');
    console.log(`background of 3 idle replicas: ${(idle.total / idle.ms * 1000).toFixed(1)} commands/s (${idleTop})`);
  } finally {
    for (const g of gateways) await stopGateway(g);
    await sim.close();
    redisServer.kill('SIGTERM');
    await once(redisServer, 'exit');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
