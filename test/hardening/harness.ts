// The hardening suite's stack: holdfast on 127.0.0.1:0 with a real SQLite file, the simulator as a
// well-behaved upstream, and a misbehaving upstream written per test (a plain node:http server
// whose answer to each request the test scripts). Everything closes itself with t.after.
import type { TestContext } from 'node:test';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { pino } from 'pino';
import { createLogger } from '../../src/observability/logger.js';
import { createHoldfast, type Holdfast } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { startSimulator, parseScenarioYaml, type RunningSimulator } from '../../src/simulator/index.js';
import { ScaledClock } from '../../src/time/scaled-clock.js';
import { createSeededRandom, cryptoIds } from '../../src/time/random.js';

export type UpstreamHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer, index: number) => void | Promise<void>;

export interface BadUpstream {
  url: string;
  /** Requests received so far. */
  readonly requests: number;
  /** Replaces the answer to the next requests. */
  handle(handler: UpstreamHandler): void;
}

export async function startBadUpstream(t: TestContext, handler: UpstreamHandler): Promise<BadUpstream> {
  let current = handler;
  let count = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const index = count;
      count += 1;
      Promise.resolve(current(req, res, Buffer.concat(chunks), index)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get requests() { return count; },
    handle(next) { current = next; },
  };
}

export interface HardStack {
  holdfast: Holdfast;
  url: string;
  sim: RunningSimulator;
  dataDir: string;
  clock: ScaledClock;
  logLines: string[];
  /** Stops holdfast (the simulator and data dir stay) and starts it again on the same files. */
  restart(): Promise<void>;
}

export const CLIENT_KEY = 'hf-client-key-0123456789';
export const UPSTREAM_KEY = 'sk-proj-UPSTREAMSECRETabcdefghijklmnop1234';
export const WEBHOOK_SECRET = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
export const auth = { authorization: `Bearer ${CLIENT_KEY}` };

export interface HardOptions {
  /** Extra YAML (sections, or lines under `models:` / `deployments:` via {{MODELS}} and {{DEPLOYMENTS}}). */
  sections?: string;
  models?: string;
  deployments?: string;
  bad?: BadUpstream;
  timeScale?: number;
  trace?: boolean;
  scenarioYaml?: string;
}

/** One well-behaved OpenAI-form deployment without rate limits or faults. */
export const SIM_SCENARIO = `
name: hardening
deployments:
  - { name: gpt-image-2, form: openai, model: gpt-image-2, region: global }
`;

/** holdfast with a `sim` model on the simulator, plus whatever models/deployments a test adds. */
export async function startHardStack(t: TestContext, options: HardOptions = {}): Promise<HardStack> {
  const clock = new ScaledClock(options.timeScale ?? 0.01);
  const scenario = parseScenarioYaml(options.scenarioYaml ?? SIM_SCENARIO, 'hardening-scenario.yaml');
  const sim = await startSimulator({ scenario, clock, random: createSeededRandom(1), seed: 1 });
  const dataDir = mkdtempSync(join(tmpdir(), 'holdfast-hard-'));
  const text = `
listen: { host: 127.0.0.1, port: 0 }
auth: { keys: [env:CLIENT_KEY] }
store: { kind: sqlite, path: "${dataDir}/holdfast.db" }
blobs: { path: "${dataDir}/images" }
retry: { max_attempts: 3, base_delay_ms: 100, max_delay_ms: 500 }
${options.sections ?? ''}
models:
  sim: { deployments: [sim] }
${options.models ?? ''}
deployments:
  sim: { provider: openai, base_url: "${sim.url}/v1", api_key: env:SIM_KEY, model: gpt-image-2 }
${(options.deployments ?? '').replaceAll('{{BAD}}', options.bad?.url ?? '')}
`;
  const { config } = parseConfig(text, { CLIENT_KEY, SIM_KEY: 'sk-openai-secret', UPSTREAM_KEY, WEBHOOK_SECRET }, 'hardening.yaml');
  const logLines: string[] = [];
  const log = options.trace
    ? createLogger({ level: 'trace', destination: { write: (line: string) => { logLines.push(line); } } })
    : pino({ level: process.env.HOLDFAST_TEST_LOG ?? 'silent' });
  const stack = { sim, dataDir, clock, logLines } as HardStack;
  const boot = async (): Promise<void> => {
    stack.holdfast = await createHoldfast({ clock, random: createSeededRandom(2), ids: cryptoIds, log }, config);
    stack.url = await stack.holdfast.start();
  };
  await boot();
  stack.restart = async () => {
    await stack.holdfast.close();
    await boot();
  };
  t.after(async () => {
    await stack.holdfast.close();
    await sim.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return stack;
}

/** A real PNG (or other format) of the given size, base64: what a good upstream returns. */
export async function imageB64(width = 1024, height = 1024, format: 'png' | 'jpeg' | 'webp' = 'png'): Promise<string> {
  const img = sharp({ create: { width, height, channels: 3, background: { r: 40, g: 90, b: 160 } } });
  return (await img.toFormat(format).toBuffer()).toString('base64');
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
