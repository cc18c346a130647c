// `holdfast sim`: the upstream simulator alone, on a ScaledClock and a seeded Random.
// Prints the listening URL and the deployments; SIGINT/SIGTERM close it cleanly. Bad scenario: exit 2.
import type { Command } from 'commander';
import { ScaledClock } from '../time/scaled-clock.js';
import { createSeededRandom } from '../time/random.js';
import { loadScenario, ScenarioError, startSimulator, type Scenario } from '../simulator/index.js';

interface SimOptions {
  port: string;
  host: string;
  scenario: string;
  timeScale: string;
  seed: string;
}

export function registerSimCommand(program: Command): void {
  program
    .command('sim')
    .description('run the upstream simulator (OpenAI / Azure OpenAI image endpoints)')
    .option('--port <port>', 'port to listen on (0 picks a free one)', '9100')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--scenario <name|path>', "'seed' or a scenario YAML file", 'seed')
    .option('--time-scale <factor>', 'real ms per simulated ms (0.01 runs a 245 s generation in 2.45 s)', '1')
    .option('--seed <n>', 'seed for faults, jitter, ids and images', '1')
    .action(async (options: SimOptions) => {
      process.exitCode = await runSim(options);
    });
}

function parseNumber(text: string, name: string, check: (n: number) => boolean): number {
  const n = Number(text);
  if (!Number.isFinite(n) || !check(n)) throw new RangeError(`--${name}: invalid value '${text}'`);
  return n;
}

async function runSim(options: SimOptions): Promise<number> {
  let scenario: Scenario;
  let port: number;
  let scale: number;
  let seed: number;
  try {
    port = parseNumber(options.port, 'port', (n) => Number.isInteger(n) && n >= 0 && n < 65536);
    scale = parseNumber(options.timeScale, 'time-scale', (n) => n > 0);
    seed = parseNumber(options.seed, 'seed', Number.isInteger);
    scenario = await loadScenario(options.scenario);
  } catch (error) {
    if (error instanceof ScenarioError || error instanceof RangeError) process.stderr.write(`${error.message}\n`);
    else process.stderr.write(`cannot load scenario '${options.scenario}': ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const sim = await startSimulator({
    scenario, clock: new ScaledClock(scale), random: createSeededRandom(seed), seed, host: options.host, port,
  });
  process.stdout.write(`holdfast sim: scenario '${scenario.name}' listening on ${sim.url} (time scale ${scale}, seed ${seed})\n`);
  for (const d of scenario.deployments) {
    const path = d.form === 'azure'
      ? `${sim.url}/openai/deployments/${d.name}/images/generations?api-version=2025-04-01-preview`
      : `${sim.url}/v1/images/generations (model: ${d.name})`;
    const idle = d.idleTimeoutMs === null ? 'no idle limit' : `idle ${d.idleTimeoutMs} ms`;
    const rate = d.rateLimit ? `${d.rateLimit.requests} req / ${d.rateLimit.windowMs} ms` : 'no rate limit';
    process.stdout.write(`  ${d.name} [${d.form}, ${d.model}, ${d.regionName}, ${idle}, ${rate}]\n    ${path}\n`);
  }
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await sim.close();
  process.stdout.write('holdfast sim: closed\n');
  return 0;
}
