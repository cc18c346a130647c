// `holdfast config check [file]`: validates a config file and prints the resolved configuration
// (YAML, secrets shown as [redacted]) and its warnings. Invalid: every error on stderr, exit 2.
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { ConfigError, formatIssue, loadConfigFile, toResolvedView, type Env } from '../config/load.js';

export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

export const EXIT_OK = 0;
export const EXIT_INVALID_CONFIG = 2;

/** Returns the exit code: 0 valid, 2 invalid (unreadable files included). */
export function runConfigCheck(file: string, env: Env, io: CliOutput): number {
  try {
    const { config, warnings } = loadConfigFile(file, env);
    io.out(`# ${file}: valid; the resolved configuration, secrets shown as [redacted]:\n`);
    io.out(stringify(toResolvedView(config), { lineWidth: 0 }));
    for (const warning of warnings) io.err(`warning: ${formatIssue(warning)}\n`);
    return EXIT_OK;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const count = error.issues.length === 1 ? '1 error' : `${error.issues.length} errors`;
    io.err(`${file}: invalid configuration (${count})\n`);
    for (const issue of error.issues) io.err(`${formatIssue(issue)}\n`);
    return EXIT_INVALID_CONFIG;
  }
}

export function processOutput(): CliOutput {
  return { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };
}

export function registerConfigCheckCommand(program: Command): void {
  const config = program.commands.find((c) => c.name() === 'config')
    ?? program.command('config').description('work with holdfast configuration files');
  config
    .command('check')
    .description('validate a config file and print the resolved configuration with secrets masked')
    .argument('[file]', 'the config file', 'holdfast.yaml')
    .action((file: string) => {
      process.exitCode = runConfigCheck(file, process.env, processOutput());
    });
}
