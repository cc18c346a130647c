// `npm run bench`: every issue-11 target in one run, printed as one table, each holdfast figure
// beside its reference from the same run (a bare pass-through proxy, the body size, the interval).
//   npm run bench            # the full run (8,000 silent streams, 5 runs per 25 MB case)
//   npm run bench -- --quick # a bounded fast pass (2,000 streams, 2 runs)
// Small calls (bench/small-calls.ts, beside a bare pass-through proxy) and jobs/s on SQLite
// (bench/jobs-throughput.ts) come through bench/small-call-rows.ts.
import { readFileSync } from 'node:fs';
import { printTable, type BenchRow } from './harness.js';
import { runBigBody } from './big-body.js';
import { runSilentStreams } from './silent-streams.js';
import { jobsRows, smallCallRows } from './small-call-rows.js';

const quick = process.argv.includes('--quick');

/** Two sockets per silent stream live in this process (client and upstream end): stay under the open-files limit. */
function streamsWithinFileLimit(wanted: number): number {
  const m = /Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
  const limit = m ? Number(m[1]) : 1024;
  return Math.max(100, Math.min(wanted, Math.floor((limit - 1000) / 2)));
}

const started = performance.now();
console.log(`holdfast benchmarks (issue 11), ${quick ? 'quick pass' : 'full run'}, Node ${process.version}, all processes on one machine, 127.0.0.1\n`);
const rows: BenchRow[] = [
  ...await smallCallRows({ quick }),
  ...await jobsRows({ quick }),
  ...await runBigBody({ quick }),
  ...await runSilentStreams({ quick, streams: streamsWithinFileLimit(quick ? 2000 : 8000) }),
];
printTable(rows);
const missed = rows.filter((r) => r.met === false).length;
console.log(`\n${rows.filter((r) => r.met).length} met, ${missed} missed, ${rows.filter((r) => r.met === undefined).length} without a target; ${((performance.now() - started) / 1000).toFixed(0)} s`);
