// Process entry: argv, env and the real clock meet here, then the CLI takes over.
import { CommanderError } from 'commander';
import { buildProgram } from './cli/index.js';

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  // --help and --version end with exit code 0; a usage error (already printed) is 2, as docs/cli.md says.
  if (!(error instanceof CommanderError)) throw error;
  process.exit(error.exitCode === 0 ? 0 : 2);
}
