// `holdfast init [--out holdfast.yaml] [--force] [--sim [url] --time-scale F]`: writes the commented
// example configuration, or with --sim one for `holdfast sim`. It never overwrites an existing file
// unless --force is given.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { EXAMPLE_ENV_NAMES, renderExampleConfig } from '../config/example.js';
import { processOutput, type CliOutput } from './config-check.js';
import { DEFAULT_SIM_URL, renderSimConfig } from './init-sim.js';

export interface InitOptions {
  out: string;
  force: boolean;
  /** true or the simulator's URL: a config for `holdfast sim` instead of the example. */
  sim?: boolean | string;
  timeScale?: string;
}

export const EXIT_REFUSED = 1;

/** Returns the exit code: 0 written, 1 refused (the file exists) or not writable. */
export function runInit(options: InitOptions, io: CliOutput): number {
  const simUrl = options.sim === undefined || options.sim === false ? undefined : options.sim === true ? DEFAULT_SIM_URL : options.sim;
  const timeScale = Number(options.timeScale ?? '1');
  if (simUrl !== undefined && !(timeScale > 0 && timeScale <= 1)) {
    io.err(`--time-scale: a number > 0 and ≤ 1 (the one given to holdfast sim), got '${options.timeScale}'\n`);
    return 2;
  }
  if (simUrl !== undefined && !/^https?:\/\/[^\s/]+\/?$/.test(simUrl)) {
    io.err(`--sim: the simulator's root URL, e.g. ${DEFAULT_SIM_URL}, got '${simUrl}'\n`);
    return 2;
  }
  const text = simUrl === undefined ? renderExampleConfig() : renderSimConfig({ simUrl: simUrl.replace(/\/+$/, ''), timeScale });
  try {
    // 'wx' fails if the file exists, atomically: no window between a check and the write.
    writeFileSync(options.out, text, { flag: options.force ? 'w' : 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      io.err(`${options.out} already exists; use --force to overwrite it\n`);
    } else {
      io.err(`cannot write ${options.out} (${code ?? String(error)})\n`);
    }
    return EXIT_REFUSED;
  }
  io.out(`wrote ${options.out}\n`);
  if (simUrl !== undefined) {
    io.out(`next: holdfast sim --time-scale ${timeScale}   (in another terminal; it listens on ${simUrl})\n`);
    io.out(`      holdfast serve --config ${options.out}   and   holdfast probe --config ${options.out}\n`);
    return 0;
  }
  io.out(`next: set ${EXAMPLE_ENV_NAMES.join(', ')}, put your endpoints and deployment names in it, then run\n`);
  io.out(`  holdfast config check ${options.out}\n`);
  return 0;
}

export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('write a commented example configuration file')
    .option('--out <file>', 'where to write it', 'holdfast.yaml')
    .option('--force', 'overwrite an existing file', false)
    .option('--sim [url]', `write a config for \`holdfast sim\` (seed scenario) at this URL (default ${DEFAULT_SIM_URL}) instead of the example`)
    .option('--time-scale <factor>', 'with --sim: the --time-scale given to holdfast sim (writes simulation.time_scale)', '1')
    .action((options: InitOptions) => {
      process.exitCode = runInit(options, processOutput());
    });
}
