// The small-call and jobs/s lines of `npm run bench` (issue 11 targets), from bench/small-calls.ts
// and bench/jobs-throughput.ts, as rows of the one table (bench/harness.ts BenchRow).
import type { BenchRow } from './harness.js';
import { runSmallCalls } from './small-calls.js';
import { runJobsThroughput } from './jobs-throughput.js';

const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;

/** At 50 connections: holdfast's req/s >= 50 % of the bare proxy's, added p99 <= 25 ms. */
export async function smallCallRows(options: { quick: boolean }): Promise<BenchRow[]> {
  const [row] = await runSmallCalls({ seconds: options.quick ? 2 : 5, connections: [50] });
  if (!row) return [];
  return [
    {
      target: 'small calls, 50 conns: throughput',
      holdfast: `${row.holdfast.rps.toFixed(0)} req/s`,
      reference: `bare proxy ${row.proxy.rps.toFixed(0)} req/s`,
      ratio: pct(row.throughputRatio),
      limit: '>= 50 %',
      met: row.throughputRatio >= 0.5 && row.holdfast.errors === 0,
    },
    {
      target: 'small calls, 50 conns: added p99',
      holdfast: `p99 ${row.holdfast.p99.toFixed(0)} ms`,
      reference: `bare proxy p99 ${row.proxy.p99.toFixed(0)} ms`,
      ratio: `+${row.addedP99Ms.toFixed(0)} ms`,
      limit: '<= +25 ms',
      met: row.addedP99Ms <= 25,
    },
  ];
}

/** Jobs/s through the full path on SQLite (small JPEG, upstream at ~0 latency): >= 1,500, store share shown. */
export async function jobsRows(options: { quick: boolean }): Promise<BenchRow[]> {
  const rows = await runJobsThroughput({ jobs: options.quick ? 600 : 3000, modes: ['async', 'sync'] });
  return rows.map((r) => ({
    target: `jobs/s on SQLite (${r.mode === 'async' ? '202 then run' : 'wait for the image'})`,
    holdfast: `${r.jobsPerSecond.toFixed(0)} jobs/s, ${r.errors} errors`,
    reference: `store ${pct(r.storeShare.total)} of CPU`,
    ratio: '',
    limit: '>= 1500 jobs/s',
    met: r.jobsPerSecond >= 1500 && r.errors === 0,
  }));
}
