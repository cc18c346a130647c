// Reliability benchmark (issue 5): the seed scenario three ways, side by side, in one table.
//   (a) the official openai SDK (AzureOpenAI, default maxRetries 2) straight at Sweden,
//   (b) the same SDK calls through holdfast with one region (Sweden),
//   (c) through holdfast with two regions (Sweden + West Europe), each deployment at rpm 10.
// Every call is the report's shape: 2048x2048 high, stream: true, partial_images: 0, one request
// every --interval-s simulated seconds. Times are simulated seconds; everything runs on 127.0.0.1
// in this process on one ScaledClock, and is bounded (request count, SDK retries, holdfast deadline).
//   npx tsx bench/reliability.ts [--requests 30] [--time-scale 0.02] [--interval-s 6] [--seed 1]
import { runWay, type RunOptions, type RunResult } from './reliability-runs.js';
import { percentile } from '../src/routing/health.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`--${name}: expected a positive number`);
  return value;
}

function row(name: string, r: RunResult, requests: number): string[] {
  const sorted = [...r.durationsMs].sort((a, b) => a - b);
  const s = (ms: number | null): string => (ms === null ? '-' : `${(ms / 1000).toFixed(0)} s`);
  return [
    name,
    `${r.delivered}/${requests} (${Math.round((r.delivered / requests) * 100)} %)`,
    s(percentile(sorted, 0.5)),
    s(percentile(sorted, 0.95)),
    r.delivered === 0 ? `- (${r.upstreamAttempts} spent)` : (r.upstreamAttempts / r.delivered).toFixed(2),
    String(r.upstream429),
    String(r.upstream408),
  ];
}

function table(rows: string[][]): string {
  const header = ['way', 'success', 'p50', 'p95', 'upstream attempts / image', '429s caused', '408s'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const options: RunOptions = {
    requests: Math.min(500, Math.round(flag('requests', 30))),
    // At 0.01 the budget's 1 s safety margin is 10 ms of real time, which a busy event loop can exceed.
    timeScale: flag('time-scale', 0.02),
    intervalMs: flag('interval-s', 6) * 1000,
    seed: Math.round(flag('seed', 1)),
  };
  const ways: [string, readonly ('sweden' | 'westeurope')[]][] = [
    ['(a) SDK direct, Sweden', []],
    ['(b) holdfast, Sweden', ['sweden']],
    ['(c) holdfast, Sweden + West Europe', ['sweden', 'westeurope']],
  ];
  const rows: string[][] = [];
  for (const [name, regions] of ways) {
    process.stderr.write(`${name}: ${options.requests} requests...\n`);
    rows.push(row(name, await runWay(regions, options), options.requests));
  }
  process.stdout.write(`seed scenario, ${options.requests} x 2048x2048 high, stream: true, partial_images: 0, one every ${options.intervalMs / 1000} s; `
    + `openai SDK (AzureOpenAI, maxRetries 2) as the client; times in simulated seconds (time scale ${options.timeScale}, seed ${options.seed})\n`);
  process.stdout.write(`${table(rows)}\n`);
}

await main();
