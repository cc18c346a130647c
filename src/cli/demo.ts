// `holdfast demo [--port 8080] [--time-scale 0.1] [--data-dir DIR]`: the simulator and holdfast in one
// process, no key or config needed; prints what runs where and requests to try. SIGINT/SIGTERM: exit 0.
import type { Command } from 'commander';
import { pino } from 'pino';
import { createLogger } from '../observability/logger.js';
import { ConfigError } from '../config/load.js';
import { LOG_LEVELS } from '../config/schema.js';
import { startDemo } from '../demo/start-demo.js';
import { renderDemoBanner } from '../demo/demo-banner.js';
import { DEFAULT_GATEWAY_URL } from './generate.js';

interface DemoCliOptions {
  port: string;
  timeScale: string;
  dataDir?: string;
  seed: string;
  logLevel: string;
  story: boolean;
}

export const DEFAULT_DATA_DIR = './holdfast-data';

function parseOptions(options: DemoCliOptions): { port: number; timeScale: number; seed: number; logLevel: string } | string {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return `--port: invalid value '${options.port}'`;
  const timeScale = Number(options.timeScale);
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) return `--time-scale: must be a number > 0, got '${options.timeScale}'`;
  const seed = Number(options.seed);
  if (!Number.isInteger(seed)) return `--seed: invalid value '${options.seed}'`;
  if (!(LOG_LEVELS as readonly string[]).includes(options.logLevel)) return `--log-level: one of ${LOG_LEVELS.join(', ')}`;
  return { port, timeScale, seed, logLevel: options.logLevel };
}

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string): void => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(signal);
    };
    const onInt = (): void => stop('SIGINT');
    const onTerm = (): void => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
}

async function runDemo(options: DemoCliOptions): Promise<number> {
  const parsed = parseOptions(options);
  if (typeof parsed === 'string') {
    process.stderr.write(`holdfast demo: ${parsed}\n`);
    return 2;
  }
  // Logs go to stderr so that stdout stays the banner; warnings about the demo's own choices
  // (no client key) would only repeat what the banner says.
  const log = createLogger({ level: parsed.logLevel, destination: pino.destination(2) });
  // Listening before anything is printed: whoever reads the banner may signal at once (a test, a
  // supervisor), and a SIGTERM that came before the handler would kill the process by default.
  const signalled = untilSignal();
  let demo;
  try {
    const story = options.story ? (line: string): void => { process.stdout.write(line); } : undefined;
    demo = await startDemo({ log, story }, {
      ...parsed, host: '127.0.0.1', dataDir: options.dataDir ?? DEFAULT_DATA_DIR, adminKey: process.env.HOLDFAST_ADMIN_KEY || undefined,
    });
  } catch (error) {
    const reason = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
    process.stderr.write(`holdfast demo: cannot start: ${reason}\n`);
    return 1;
  }
  process.stdout.write(renderDemoBanner({
    gatewayUrl: demo.gatewayUrl, simUrl: demo.simUrl, dataDir: demo.dataDir, dataDirChosen: options.dataDir !== undefined,
    timeScale: parsed.timeScale, defaultGatewayUrl: DEFAULT_GATEWAY_URL,
    adminKey: demo.adminKey, adminKeyFromEnv: Boolean(process.env.HOLDFAST_ADMIN_KEY),
  }));
  if (options.story) {
    const clockNote = parsed.timeScale === 1 ? '' : ` Times are wall-clock, with holdfast's simulated clock beside them (it runs ${Math.round(1 / parsed.timeScale)}x; job resources and logs use it).`;
    process.stdout.write(`\nWhat holdfast does, one line per job, attempt, retry, failover and outcome (--no-story to hide).${clockNote}\n\n`);
  }
  const signal = await signalled;
  process.stdout.write(`\nholdfast demo: ${signal}, stopping\n`);
  await demo.close();
  process.stdout.write('holdfast demo: stopped\n');
  return 0;
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run the simulator (seed scenario) and holdfast in front of it: no key, no config')
    .option('-p, --port <port>', "holdfast's port (0 picks a free one)", '8080')
    .option('--time-scale <factor>', 'real ms per simulated ms (0.1: a 245 s generation takes 24.5 s)', '0.1')
    .option('--data-dir <dir>', `where SQLite and images are kept (default ${DEFAULT_DATA_DIR})`)
    .option('--seed <n>', "the simulator's seed (faults, jitter, images)", '1')
    .option('--log-level <level>', "holdfast's JSON log level (logs go to stderr)", 'error')
    .option('--no-story', 'do not print a line per attempt, retry, failover and outcome')
    .action(async (options: DemoCliOptions) => {
      process.exit(await runDemo(options));
    });
}
