// `holdfast probe` as a child process against the seed simulator: a table with one row per
// deployment, --json for machines, bounded (count); exit 0 when every deployment answered, 1 when
// one failed every request, 2 on bad options.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { loadScenario, startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { ScaledClock } from '../../src/time/scaled-clock.js';
import { createSeededRandom } from '../../src/time/random.js';

const REPO = new URL('../../', import.meta.url);
const SCALE = 0.01;
const env = { AZURE_SWEDEN_KEY: 'sk-sweden-secret', AZURE_WE_KEY: 'sk-we-secret', OPENAI_API_KEY: 'sk-openai-secret' };

interface Setup { sim: RunningSimulator; configPath: string }

async function setup(t: TestContext, configExtra = ''): Promise<Setup> {
  const sim = await startSimulator({ scenario: await loadScenario('seed'), clock: new ScaledClock(SCALE), random: createSeededRandom(4), seed: 4 });
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-probe-'));
  t.after(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const configPath = join(dir, 'holdfast.yaml');
  writeFileSync(configPath, `
models:
  gpt-image-2: { deployments: [sweden, westeurope, openai] }
deployments:
  sweden: { provider: azure, base_url: "${sim.url}", deployment: gpt-image-2-1, api_key: env:AZURE_SWEDEN_KEY, model: gpt-image-2, rpm: 10, region: swedencentral }
  westeurope: { provider: azure, base_url: "${sim.url}", deployment: gpt-image-2-westeurope, api_key: env:AZURE_WE_KEY, model: gpt-image-2, rpm: 10, region: westeurope }
  openai: { provider: openai, base_url: "${sim.url}/v1", api_key: env:OPENAI_API_KEY, model: gpt-image-2, rpm: 10 }
${configExtra}`);
  return { sim, configPath };
}

/** Runs the CLI without blocking this process (the simulator answers from here). */
function holdfast(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      cwd: REPO, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    // Killed if it hangs: the test fails with what it printed instead of waiting for the runner's timeout.
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

const probeArgs = (s: Setup, ...extra: string[]): string[] => [
  'probe', '--config', s.configPath, '--size', '1024x1024', '--quality', 'low', '--count', '3',
  '--output-format', 'jpeg', '--time-scale', String(SCALE), '--timeout-ms', '300000', ...extra,
];

test('holdfast probe prints one row per deployment with success rate, p50/p95, errors by kind and 408/429 counts', async (t) => {
  // No --time-scale: the config's simulation.time_scale (what `holdfast serve` reads too) pairs it with the simulator.
  const s = await setup(t, `simulation: { time_scale: ${SCALE} }\n`);
  const run = await holdfast(probeArgs(s).filter((a, i, all) => a !== '--time-scale' && all[i - 1] !== '--time-scale'));
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.trimEnd().split('\n');
  assert.match(lines[0], /3 x 1024x1024 low per deployment/);
  for (const column of ['deployment', 'region', 'ok/sent', 'success', 'p50', 'p95', 'errors by kind', '408', '429']) assert.ok(lines[1].includes(column), column);
  const rows = lines.slice(3);
  assert.deepEqual(rows.map((r) => r.split(/\s+/)[0]), ['sweden', 'westeurope', 'openai']);
  for (const row of rows) assert.match(row, /^\S+\s+\S+\s+3\/3\s+100 %\s+\d+\.\d s\s+\d+\.\d s\s+-\s+0\s+0$/, row);
  // Simulated seconds: 1024x1024 low takes about 22 s on the simulator's clock (0.2 s of real time).
  for (const row of rows) assert.ok(Number(/(\d+\.\d) s/.exec(row)?.[1]) > 10, row);
  // Bounded: exactly count requests per deployment, within each one's rate limit.
  const stats = s.sim.stats();
  assert.equal(stats.requests_total, 9);
  assert.equal(stats.rate_limited_total, 0);
  for (const secret of Object.values(env)) assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret));
});

test('holdfast probe --json reports a deployment that failed every request by error kind, and exits 1 naming it', async (t) => {
  const s = await setup(t);
  const fault = await request(`${s.sim.url}/_sim/deployments/gpt-image-2-westeurope/faults`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ all: { http_500: 1 } }),
  });
  assert.equal(fault.statusCode, 200);
  await fault.body.dump();
  const run = await holdfast(probeArgs(s, '--json'));
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /^probe: westeurope failed every request \(exit 1\)$/m);
  const report = JSON.parse(run.stdout) as { size: string; quality: string; count: number; deployments: Record<string, unknown>[] };
  assert.deepEqual([report.size, report.quality, report.count], ['1024x1024', 'low', 3]);
  const byId = new Map(report.deployments.map((d) => [d.deployment, d]));
  assert.deepEqual([...byId.keys()], ['sweden', 'westeurope', 'openai']);
  const we = byId.get('westeurope');
  assert.deepEqual([we?.requests, we?.successes, we?.success_rate, we?.errors, we?.p50_ms], [3, 0, 0, { server_error: 3 }, null]);
  const sweden = byId.get('sweden');
  assert.equal(sweden?.success_rate, 1);
  // Times are on the simulator's clock: 1024x1024 low takes about 22 simulated seconds (0.22 s of
  // real time at 0.01). Real milliseconds would be ~220 and a time scaled twice ~2,200,000; the upper
  // bound leaves room for a loaded machine (each real ms of delay is 100 simulated ones).
  assert.ok(Number(sweden?.p50_ms) > 15_000 && Number(sweden?.p50_ms) < 600_000, String(sweden?.p50_ms));
  assert.ok(Number(sweden?.p95_ms) >= Number(sweden?.p50_ms));
  assert.equal(sweden?.status_408, 0);
  assert.equal(sweden?.status_429, 0);
});

test('holdfast probe refuses bad options with exit code 2 and sends nothing', async (t) => {
  const s = await setup(t);
  const badCount = await holdfast(['probe', '--config', s.configPath, '--count', '0']);
  assert.equal(badCount.code, 2);
  assert.match(badCount.stderr, /--count/);
  const badDeployment = await holdfast(['probe', '--config', s.configPath, '--deployment', 'nowhere']);
  assert.equal(badDeployment.code, 2);
  assert.match(badDeployment.stderr, /nowhere/);
  assert.equal(s.sim.stats().requests_total, 0);
});
