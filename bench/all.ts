// `npm run bench`: every issue-11 target in one run, printed as one table, each holdfast figure
// beside its reference from the same run (a bare pass-through proxy, the body size, the interval).
//   npm run bench            # the full run (8,000 silent streams, 5 runs per 25 MB case)
//   npm run bench -- --quick # a bounded fast pass (2,000 streams, 2 runs)
// Small calls and jobs/s come from bench/jobs-throughput.ts (`runJobsThroughput`, with its bare
// proxy from bench/bare-proxy.ts, `startBareProxy`); while that file is absent, its rows say so.
import { readFileSync } from 'node:fs';
import { printTable, type BenchRow } from './harness.js';
import { runBigBody } from './big-body.js';
import { runSilentStreams } from './silent-streams.js';

const quick = process.argv.includes('--quick');

function isRow(value: unknown): value is BenchRow {
  return typeof value === 'object' && value !== null && typeof (value as BenchRow).target === 'string';
}

/** Rows from a bench module's run function, found by name; a TODO row when it is not there. */
async function externalRows(file: string, exportName: string, what: string): Promise<BenchRow[]> {
  const todo = (why: string): BenchRow[] => [{ target: what, holdfast: `TODO: ${why}`, reference: '', ratio: '', limit: '', met: undefined }];
  let mod: Record<string, unknown>;
  try {
    const specifier = `./${file}`;
    mod = await import(specifier) as Record<string, unknown>;
  } catch (error) {
    const missing = error instanceof Error && 'code' in error && error.code === 'ERR_MODULE_NOT_FOUND';
    return todo(`bench/${file.replace(/\.js$/, '.ts')} ${missing ? 'is not on this branch (part A of issue 11)' : `failed to load: ${String(error).split('\n')[0]}`}`);
  }
  const run = mod[exportName];
  if (typeof run !== 'function') return todo(`bench/${file} has no ${exportName}()`);
  const result: unknown = await run({ quick });
  if (Array.isArray(result) && result.every(isRow)) return result;
  // Any other shape: its figures, one row each, for the lead to fold into the table.
  return Object.entries(typeof result === 'object' && result !== null ? result : { result })
    .map(([key, value]) => ({ target: `${what}: ${key}`, holdfast: String(typeof value === 'number' ? Math.round(value * 10) / 10 : JSON.stringify(value)), reference: '', ratio: '', limit: '', met: undefined }));
}

/** Two sockets per silent stream live in this process (client and upstream end): stay under the open-files limit. */
function streamsWithinFileLimit(wanted: number): number {
  const m = /Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
  const limit = m ? Number(m[1]) : 1024;
  return Math.max(100, Math.min(wanted, Math.floor((limit - 1000) / 2)));
}

const started = performance.now();
console.log(`holdfast benchmarks (issue 11), ${quick ? 'quick pass' : 'full run'}, Node ${process.version}, all processes on one machine, 127.0.0.1\n`);
const rows: BenchRow[] = [
  ...await externalRows('jobs-throughput.js', 'runJobsThroughput', 'small calls and jobs/s'),
  ...await runBigBody({ quick }),
  ...await runSilentStreams({ quick, streams: streamsWithinFileLimit(quick ? 2000 : 8000) }),
];
printTable(rows);
const missed = rows.filter((r) => r.met === false).length;
console.log(`\n${rows.filter((r) => r.met).length} met, ${missed} missed, ${rows.filter((r) => r.met === undefined).length} without a target; ${((performance.now() - started) / 1000).toFixed(0)} s`);
