// holdfast as its own process for benches: `holdfast serve` on a written config and a free port,
// up when /healthz answers. Optional CPU profile (--cpu-prof, written when it stops on SIGTERM).
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';

export interface BenchGateway {
  url: string;
  pid: number;
  /** performance.now() of this process when the gateway was spawned (its CPU profile starts about then). */
  spawnedAt: number;
  /** SIGTERM, then waits for the exit (a CPU profile is written by then). */
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  const server = createServer();
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
  }));
}

/** holdfast `serve` as a child process; `nodeArgs` e.g. `--heapsnapshot-signal=SIGUSR2`. */
export async function startGateway(config: string, dir: string, options: { cpuProfDir?: string; nodeArgs?: string[] } = {}): Promise<BenchGateway> {
  const file = join(dir, 'holdfast.yaml');
  writeFileSync(file, config);
  const port = await freePort();
  const prof = [...options.nodeArgs ?? [], ...options.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir] : []];
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', 'src/main.ts', 'serve', '--config', file, '--port', String(port), '--grace-ms', '0'], {
    stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, BENCH_KEY: 'sk-bench' }, cwd: join(import.meta.dirname, '..'),
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150; i += 1) {
    const up = await request(`${url}/healthz`).then((r) => r.body.text().then(() => r.statusCode === 200), () => false);
    if (up) {
      return {
        url, pid: child.pid ?? 0, spawnedAt,
        stop: async () => {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          await exited;
          clearTimeout(timer);
        },
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('holdfast did not start');
}
