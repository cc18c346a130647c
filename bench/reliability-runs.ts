// The three ways bench/reliability.ts compares, each on a fresh seed simulator: the official SDK
// straight at Sweden, and the same SDK calls through holdfast with one region and with two.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AzureOpenAI } from 'openai';
import { pino } from 'pino';
import { createHoldfast } from '../src/app.js';
import { parseConfig } from '../src/config/load.js';
import { loadScenario, startSimulator } from '../src/simulator/index.js';
import { ScaledClock } from '../src/time/scaled-clock.js';
import { createSeededRandom, cryptoIds } from '../src/time/random.js';
import { createScaledFetch } from './scaled-fetch.js';

export interface RunOptions {
  requests: number;
  /** Simulated ms between two client requests. */
  intervalMs: number;
  timeScale: number;
  seed: number;
}

export interface RunResult {
  delivered: number;
  /** Completion times of delivered images, simulated ms. */
  durationsMs: number[];
  upstreamAttempts: number;
  upstream429: number;
  upstream408: number;
}

/** The report's request: 2048x2048 high, streamed with no partial images. */
const REQUEST = { model: 'gpt-image-2', prompt: 'a lighthouse on a rocky coast at dusk', size: '2048x2048', quality: 'high', stream: true, partial_images: 0 } as const;
const API_VERSION = '2025-04-01-preview';

async function callOnce(client: AzureOpenAI, clock: ScaledClock): Promise<number | null> {
  const started = clock.now();
  try {
    const stream = await client.images.generate(REQUEST);
    for await (const event of stream) {
      if (event.type === 'image_generation.completed' && event.b64_json) return clock.now() - started;
    }
    return null;
  } catch {
    return null;
  }
}

async function drive(client: AzureOpenAI, clock: ScaledClock, options: RunOptions): Promise<number[]> {
  const calls: Promise<number | null>[] = [];
  for (let i = 0; i < options.requests; i += 1) {
    calls.push(callOnce(client, clock));
    await clock.sleep(options.intervalMs);
  }
  return (await Promise.all(calls)).filter((d): d is number => d !== null);
}

function holdfastConfig(simUrl: string, dataDir: string, regions: readonly ('sweden' | 'westeurope')[]): string {
  const names = { sweden: 'gpt-image-2-1', westeurope: 'gpt-image-2-westeurope' };
  return `
listen: { host: 127.0.0.1, port: 0 }
store: { kind: memory }
blobs: { path: "${dataDir}/images" }
log: { level: error }
jobs: { default_deadline_ms: 3600000 }
models:
  gpt-image-2: { deployments: [${regions.join(', ')}], queue: { max_depth: 1000, max_wait_ms: 3600000 } }
deployments:
${regions.map((r) => `  ${r}: { provider: azure, base_url: "${simUrl}", deployment: ${names[r]}, api_key: env:KEY, model: gpt-image-2, rpm: 10 }`).join('\n')}
`;
}

/** regions empty: the SDK calls Sweden directly; otherwise through holdfast with those regions. */
export async function runWay(regions: readonly ('sweden' | 'westeurope')[], options: RunOptions): Promise<RunResult> {
  const clock = new ScaledClock(options.timeScale);
  const sim = await startSimulator({ scenario: await loadScenario('seed'), clock, random: createSeededRandom(options.seed), seed: options.seed });
  const dataDir = mkdtempSync(join(tmpdir(), 'holdfast-bench-'));
  const cleanups: (() => Promise<void>)[] = [() => sim.close()];
  try {
    let endpoint = sim.url;
    let deployment = 'gpt-image-2-1';
    if (regions.length > 0) {
      const { config } = parseConfig(holdfastConfig(sim.url, dataDir, regions), { KEY: 'sk-bench' }, 'bench.yaml');
      const holdfast = await createHoldfast({ clock, random: createSeededRandom(options.seed + 1), ids: cryptoIds, log: pino({ level: 'error' }) }, config);
      endpoint = await holdfast.start();
      deployment = 'gpt-image-2';
      cleanups.unshift(() => holdfast.close());
    }
    const client = new AzureOpenAI({ apiKey: 'sk-bench', endpoint, deployment, apiVersion: API_VERSION, fetch: createScaledFetch(options.timeScale) });
    const durationsMs = await drive(client, clock, options);
    const stats = sim.stats();
    return {
      delivered: durationsMs.length, durationsMs,
      upstreamAttempts: stats.requests_total,
      upstream429: stats.rate_limited_total,
      upstream408: Object.values(stats.deployments).reduce((n, d) => n + d.attempts_by_outcome.timeout_408, 0),
    };
  } finally {
    for (const cleanup of cleanups) await cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
