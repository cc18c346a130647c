// The `holdfast` command line: one file per command, registered here.
import { Command } from 'commander';
import { HOLDFAST_VERSION } from '../version.js';
import { registerSimCommand } from './sim.js';
import { registerServeCommand } from './serve.js';
import { registerConfigCheckCommand } from './config-check.js';
import { registerInitCommand } from './init.js';
import { registerProbeCommand } from './probe.js';
import { registerDemoCommand } from './demo.js';
import { registerGenerateCommand } from './generate.js';
import { registerJobsCommand } from './jobs.js';
import { registerKeysCommand } from './keys.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('holdfast')
    .description('A self-hosted gateway that makes long-running OpenAI / Azure OpenAI image generation reliable.')
    .version(`holdfast ${HOLDFAST_VERSION}`, '-V, --version', 'print the version')
    .showHelpAfterError()
    // Usage errors (unknown option, missing argument) throw instead of exiting 1: main.ts exits 2.
    .exitOverride();
  registerServeCommand(program);
  registerSimCommand(program);
  registerConfigCheckCommand(program);
  registerInitCommand(program);
  registerProbeCommand(program);
  registerDemoCommand(program);
  registerGenerateCommand(program);
  registerJobsCommand(program);
  registerKeysCommand(program);
  // `--version` works after any command too (`holdfast serve --version`).
  const withVersion = (command: Command): void => {
    for (const sub of command.commands) {
      sub.version(`holdfast ${HOLDFAST_VERSION}`, '--version', 'print the version');
      withVersion(sub);
    }
  };
  withVersion(program);
  return program;
}
