// Starts the simulator and holdfast on 127.0.0.1:0 for one test, sharing one clock, and registers
// their shutdown (and the temp dir's removal) with t.after. Config is real YAML through parseConfig.
import type { TestContext } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createLogger } from '../../src/observability/logger.js';
import { createHoldfast, type Holdfast } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { startSimulator, parseScenarioYaml, loadScenario, type RunningSimulator } from '../../src/simulator/index.js';
import type { Clock } from '../../src/time/clock.js';
import { ScaledClock } from '../../src/time/scaled-clock.js';
import { createSeededRandom, cryptoIds } from '../../src/time/random.js';

export interface StackOptions {
  /** YAML of a scenario, or the built-in 'seed' (default). */
  scenarioYaml?: string;
  /** Real ms per simulated ms (default 0.01: a 245 s generation takes 2.45 s; image rendering costs real time, so much smaller scales distort the story). */
  timeScale?: number;
  clock?: Clock;
  seed?: number;
  /** The holdfast.yaml text; `{{SIM}}` is replaced by the simulator's URL, `{{DATA}}` by a temp dir. */
  config: string;
  env?: Record<string, string>;
  /** Receives holdfast's log lines (JSON) at `trace` level; silent otherwise. */
  logLines?: string[];
}

export interface Stack {
  sim: RunningSimulator;
  holdfast: Holdfast;
  /** holdfast's base URL. */
  url: string;
  clock: Clock;
  dataDir: string;
}

export async function startStack(t: TestContext, options: StackOptions): Promise<Stack> {
  const clock = options.clock ?? new ScaledClock(options.timeScale ?? 0.01);
  const scenario = options.scenarioYaml ? parseScenarioYaml(options.scenarioYaml, 'test-scenario.yaml') : await loadScenario('seed');
  const sim = await startSimulator({ scenario, clock, random: createSeededRandom(options.seed ?? 1), seed: options.seed ?? 1 });
  const dataDir = mkdtempSync(join(tmpdir(), 'holdfast-test-'));
  const text = options.config.replaceAll('{{SIM}}', sim.url).replaceAll('{{DATA}}', dataDir);
  const { config } = parseConfig(text, { ...options.env }, 'test-holdfast.yaml');
  const lines = options.logLines;
  const log = lines
    ? createLogger({ level: 'trace', destination: { write: (line: string) => { lines.push(line); } } })
    : pino({ level: process.env.HOLDFAST_TEST_LOG ?? 'silent' });
  const holdfast = await createHoldfast({ clock, random: createSeededRandom((options.seed ?? 1) + 1), ids: cryptoIds, log }, config);
  const url = await holdfast.start();
  t.after(async () => {
    await holdfast.close();
    await sim.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { sim, holdfast, url, clock, dataDir };
}

/** The seed scenario's two Azure regions behind one model route, as the example config. */
export function seedConfig(extra = ''): string {
  return `
listen: { host: 127.0.0.1, port: 0 }
store: { kind: sqlite, path: "{{DATA}}/holdfast.db" }
blobs: { path: "{{DATA}}/images" }
streaming: { heartbeat_interval_ms: 15000 }
retry: { max_attempts: 4, base_delay_ms: 1000, max_delay_ms: 30000 }
models:
  gpt-image-2: { deployments: [sweden, westeurope] }
  gpt-image-2-openai: { deployments: [openai] }
deployments:
  sweden: { provider: azure, base_url: "{{SIM}}", deployment: gpt-image-2-1, api_version: 2025-04-01-preview, api_key: env:AZURE_SWEDEN_KEY, model: gpt-image-2, idle_timeout_ms: 60000, rpm: 10, region: swedencentral }
  westeurope: { provider: azure, base_url: "{{SIM}}", deployment: gpt-image-2-westeurope, api_version: 2025-04-01-preview, api_key: env:AZURE_WE_KEY, model: gpt-image-2, idle_timeout_ms: 60000, rpm: 10, region: westeurope }
  openai: { provider: openai, base_url: "{{SIM}}/v1", api_key: env:OPENAI_API_KEY, model: gpt-image-2, rpm: 10 }
${extra}`;
}

export const seedEnv = { AZURE_SWEDEN_KEY: 'sk-sweden-secret', AZURE_WE_KEY: 'sk-we-secret', OPENAI_API_KEY: 'sk-openai-secret' };
