// `holdfast init [--out holdfast.yaml] [--force]`: writes the commented example configuration.
// It never overwrites an existing file unless --force is given.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { EXAMPLE_ENV_NAMES, renderExampleConfig } from '../config/example.js';
import { processOutput, type CliOutput } from './config-check.js';

export interface InitOptions {
  out: string;
  force: boolean;
}

export const EXIT_REFUSED = 1;

/** Returns the exit code: 0 written, 1 refused (the file exists) or not writable. */
export function runInit(options: InitOptions, io: CliOutput): number {
  try {
    // 'wx' fails if the file exists, atomically: no window between a check and the write.
    writeFileSync(options.out, renderExampleConfig(), { flag: options.force ? 'w' : 'wx' });
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
    .action((options: InitOptions) => {
      process.exitCode = runInit(options, processOutput());
    });
}
