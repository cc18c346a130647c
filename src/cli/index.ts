// The `holdfast` command line: one file per command, registered here.
import { Command } from 'commander';
import { registerSimCommand } from './sim.js';
import { registerServeCommand } from './serve.js';
import { registerConfigCheckCommand } from './config-check.js';
import { registerInitCommand } from './init.js';
import { registerProbeCommand } from './probe.js';
import { registerDemoCommand } from './demo.js';
import { registerGenerateCommand } from './generate.js';
import { registerKeysCommand } from './keys.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('holdfast')
    .description('A self-hosted gateway that makes long-running OpenAI / Azure OpenAI image generation reliable.')
    .showHelpAfterError();
  registerServeCommand(program);
  registerSimCommand(program);
  registerConfigCheckCommand(program);
  registerInitCommand(program);
  registerProbeCommand(program);
  registerDemoCommand(program);
  registerGenerateCommand(program);
  registerKeysCommand(program);
  return program;
}
