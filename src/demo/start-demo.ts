// startDemo: the simulator (seed scenario, free port) and holdfast in front of it, in one process,
// on one ScaledClock, so a 245 s generation and its 60 s idle front take a tenth of the time at 0.1.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { createHoldfast, type Holdfast } from '../app.js';
import { loadScenario, startSimulator, type RunningSimulator } from '../simulator/index.js';
import { ScaledClock } from '../time/scaled-clock.js';
import { createSeededRandom, cryptoIds } from '../time/random.js';
import { demoConfigYaml, loadDemoConfig } from './demo-config.js';
import { createDemoStory } from './demo-story.js';
import { SystemClock } from '../time/clock.js';

export interface DemoOptions {
  /** holdfast's port (0 picks a free one); the simulator always takes a free one. */
  port: number;
  host: string;
  /** Real ms per simulated ms, for both. */
  timeScale: number;
  dataDir: string;
  seed: number;
  logLevel: string;
  /** The dashboard's admin key; a random one when absent. */
  adminKey?: string;
}

export interface RunningDemo {
  gatewayUrl: string;
  simUrl: string;
  /** Absolute path of the data dir. */
  dataDir: string;
  configYaml: string;
  /** Sign in to the dashboard (GET /) with this. */
  adminKey: string;
  sim: RunningSimulator;
  holdfast: Holdfast;
  /** Stops holdfast (in-flight jobs stay in the store and resume next time), then the simulator. Idempotent. */
  close(): Promise<void>;
}

export async function startDemo(deps: { log: Logger; story?: (line: string) => void }, options: DemoOptions): Promise<RunningDemo> {
  const clock = new ScaledClock(options.timeScale);
  const wall = new SystemClock();
  const story = deps.story ? createDemoStory({ wallNow: () => wall.now(), simNow: () => clock.now(), timeScale: options.timeScale, write: deps.story }) : undefined;
  const sim = await startSimulator({
    scenario: await loadScenario('seed'), clock, random: createSeededRandom(options.seed), seed: options.seed, host: '127.0.0.1', port: 0,
  });
  try {
    const dataDir = resolve(options.dataDir);
    mkdirSync(dataDir, { recursive: true });
    const configOptions = { simUrl: sim.url, host: options.host, port: options.port, dataDir, logLevel: options.logLevel };
    const adminKey = options.adminKey ?? `hf-admin-${randomBytes(12).toString('hex')}`;
    const { config } = loadDemoConfig(configOptions, adminKey);
    const holdfast = await createHoldfast({ clock, random: createSeededRandom(options.seed + 1), ids: cryptoIds, log: deps.log, onJobEvent: story }, config);
    const gatewayUrl = await holdfast.start();
    let closing: Promise<void> | undefined;
    return {
      gatewayUrl, simUrl: sim.url, dataDir, configYaml: demoConfigYaml(configOptions), adminKey, sim, holdfast,
      close: () => (closing ??= holdfast.close(0).finally(() => sim.close())),
    };
  } catch (error) {
    await sim.close();
    throw error;
  }
}
