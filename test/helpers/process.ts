// Runs holdfast as a real child process (`node --import tsx src/main.ts serve`) against a simulator
// in the test process, for tests that need a real crash (SIGKILL) or a real process boundary.
// The child runs on real time (SystemClock); only the simulator's clock is scaled.
import type { TestContext } from 'node:test';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { request } from 'undici';
import { createParser } from 'eventsource-parser';
import { startSimulator, parseScenarioYaml, type RunningSimulator } from '../../src/simulator/index.js';
import { ScaledClock } from '../../src/time/scaled-clock.js';
import type { Clock } from '../../src/time/clock.js';
import { createSeededRandom } from '../../src/time/random.js';

const repoRoot = join(import.meta.dirname, '..', '..');
const mainModule = join(repoRoot, 'src', 'main.ts');

export interface HoldfastProcess {
  url: string;
  child: ChildProcess;
  /** Sends the signal and resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last log lines (stdout and stderr), for assertion messages. */
  logTail(): string;
}

export interface Fixture {
  sim: RunningSimulator;
  dataDir: string;
  /** Writes holdfast.yaml (`{{SIM}}` and `{{DATA}}` replaced) and returns its path. */
  writeConfig(text: string, name?: string): string;
}

/** A simulator on a ScaledClock (or the clock given) and a temp data dir, both cleaned up after the test. */
export async function startFixture(t: TestContext, options: { scenarioYaml: string; timeScale?: number; seed?: number; clock?: Clock }): Promise<Fixture> {
  const seed = options.seed ?? 1;
  const sim = await startSimulator({
    scenario: parseScenarioYaml(options.scenarioYaml, 'test-scenario.yaml'),
    clock: options.clock ?? new ScaledClock(options.timeScale ?? 0.01), random: createSeededRandom(seed), seed,
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'holdfast-proc-'));
  t.after(async () => {
    await sim.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    sim, dataDir,
    writeConfig(text, name = 'holdfast.yaml') {
      const path = join(dataDir, name);
      writeFileSync(path, text.replaceAll('{{SIM}}', sim.url).replaceAll('{{DATA}}', dataDir));
      return path;
    },
  };
}

/**
 * Starts `holdfast serve --config <path> --port 0` (or `options.port`, e.g. to restart on the same
 * address) and resolves once it listens; SIGKILLed after the test.
 */
export async function spawnHoldfast(
  t: TestContext, configPath: string, env: Record<string, string> = {}, options: { port?: number; graceMs?: number } = {},
): Promise<HoldfastProcess> {
  const args = ['--import', 'tsx', mainModule, 'serve', '--config', configPath, '--port', String(options.port ?? 0), '--grace-ms', String(options.graceMs ?? 0)];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  const tail: string[] = [];
  const remember = (line: string): void => {
    tail.push(line);
    if (tail.length > 40) tail.shift();
  };
  if (child.stderr) createInterface({ input: child.stderr }).on('line', remember);
  // A child that never listens is killed (then the exit handler rejects with its log tail).
  const listenTimer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const url = await new Promise<string>((resolve, reject) => {
    if (!child.stdout) return reject(new Error('no stdout'));
    createInterface({ input: child.stdout }).on('line', (line) => {
      remember(line);
      const listening = /"msg":"holdfast is listening"/.test(line) ? /"url":"([^"]+)"/.exec(line) : null;
      if (listening) resolve(listening[1]);
    });
    void exited.then(([code, signal]) => reject(new Error(`holdfast exited (${code ?? signal}) before listening:\n${tail.join('\n')}`)));
  }).finally(() => clearTimeout(listenTimer));
  return {
    url, child,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const [code, sig] = await exited;
      return { code, signal: sig };
    },
    logTail: () => tail.join('\n'),
  };
}

/** A port that was free a moment ago (to start, stop and restart a gateway on the same address). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** Bytes of every file under dir (dot entries such as the blob store's `.tmp` included). */
export function diskUsageBytes(dir: string): number {
  let total = 0;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of entries) {
    const path = join(dir, name);
    const info = statSync(path);
    total += info.isDirectory() ? diskUsageBytes(path) : info.size;
  }
  return total;
}

/** Retries `probe` every 20 ms until it returns a value other than undefined; fails after timeoutMs. */
export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One OpenAI-form gpt-image-1 deployment, no faults, no rate limit; 1024x1024 low takes 22 s × factor simulated. */
export function jobsScenario(latencyFactor = 1): string {
  return `
name: jobs
deployments:
  - { name: gpt-image-1, form: openai, model: gpt-image-1, latency_factor: ${latencyFactor} }
`;
}

/**
 * holdfast.yaml for a child process: SQLite in the fixture's dir, one deployment behind model
 * `gpt-image-1`, client keys from CLIENT_KEY (and CLIENT_KEY_2 with `twoKeys`), real-time timings kept short.
 */
export function jobsConfig(options: { concurrency?: number; twoKeys?: boolean; extra?: string } = {}): string {
  const keys = options.twoKeys ? '[env:CLIENT_KEY, env:CLIENT_KEY_2]' : '[env:CLIENT_KEY]';
  return `
listen: { host: 127.0.0.1, port: 0 }
log: { level: info }
auth: { keys: ${keys} }
store: { kind: sqlite, path: "{{DATA}}/holdfast.db" }
blobs: { path: "{{DATA}}/images" }
streaming: { heartbeat_interval_ms: 200 }
retry: { max_attempts: 3, base_delay_ms: 50, max_delay_ms: 200 }
models:
  gpt-image-1: { deployments: [sim] }
deployments:
  sim: { provider: openai, base_url: "{{SIM}}/v1", api_key: env:UPSTREAM_KEY, model: gpt-image-1, concurrency: ${options.concurrency ?? 'null'} }
${options.extra ?? ''}`;
}

export const jobsEnv = { CLIENT_KEY: 'hf-client-one', CLIENT_KEY_2: 'hf-client-two', UPSTREAM_KEY: 'sk-upstream' };

export interface OpenStream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Every frame, once the server ends the stream. */
  frames: Promise<Array<{ event?: string; id?: string; json: Record<string, unknown> }>>;
}

/** Starts an SSE request and resolves at the response head (readSse resolves only at the end). */
export async function openSse(url: string, init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: unknown }): Promise<OpenStream> {
  const res = await request(url, {
    method: init.method ?? 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const frames = (async () => {
    const out: Array<{ event?: string; id?: string; json: Record<string, unknown> }> = [];
    const parser = createParser({ onEvent: (e) => out.push({ event: e.event, id: e.id, json: JSON.parse(e.data) as Record<string, unknown> }) });
    const decoder = new TextDecoder();
    for await (const chunk of res.body) parser.feed(decoder.decode(chunk as Buffer, { stream: true }));
    return out;
  })();
  return { status: res.statusCode, headers: res.headers, frames };
}
