// Process entry: argv, env and the real clock meet here, then the CLI takes over.
import { buildProgram } from './cli/index.js';

await buildProgram().parseAsync(process.argv);
