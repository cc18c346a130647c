// `holdfast demo` tells what holdfast does on the terminal, by default: a real demo process whose
// simulated Sweden region fails every request (a fault profile set through the simulator's control
// API), and requests until one lands there: its line says the attempt failed and holdfast retried
// elsewhere, then the job completed. Time scale 0.02: 1024x1024 low takes about half a second.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { spawnDemo } from '../e2e/demo-process.js';
import { eventually } from '../helpers/process.js';

const repoRoot = join(import.meta.dirname, '..', '..');

test('the demo prints a line for the failed attempt, its failover and the completion, with wall-clock and simulated times', { timeout: 180_000 }, async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'holdfast-demo-story-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const demo = await spawnDemo((fn) => t.after(fn), process.execPath,
    ['--import', 'tsx', join(repoRoot, 'src/main.ts'), 'demo', '--port', '0', '--time-scale', '0.02', '--data-dir', join(work, 'data')], repoRoot, { timeoutMs: 120_000 });
  await eventually(() => (/Ctrl-C stops everything[\s\S]*What holdfast does/.test(demo.output()) ? true : undefined), 'the story header');
  assert.match(demo.output(), /one line per job, attempt, retry, failover and outcome .*Times are wall-clock, with holdfast's simulated clock beside them \(it runs 50x/);
  const fault = await request(`${demo.simUrl}/_sim/deployments/gpt-image-2-1/faults`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ all: { http_500: 1 } }),
  });
  assert.equal(fault.statusCode, 200);
  await fault.body.dump();

  for (let i = 0; i < 6 && !/attempt 1 on sweden failed/.test(demo.output()); i++) {
    const res = await request(`${demo.gatewayUrl}/v1/images/generations`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-image-2', prompt: `apple ${i}`, size: '1024x1024', quality: 'low' }),
    });
    assert.equal(res.statusCode, 200);
    await res.body.dump();
  }
  // The completion line may follow the HTTP answer by a moment.
  await eventually(() => (/completed on westeurope after/.test(demo.output()) ? true : undefined), 'the completion line');
  const lines = demo.output().split('\n');
  const failed = lines.findIndex((l) => /attempt 1 on sweden failed \(server_error HTTP 500.*\); retrying in [\d.]+ s \(simulated [\d.]+ s\)$/.test(l));
  assert.ok(failed >= 0, demo.output());
  const job = /^\S+ \(simulated \S+\) {2}(\S+) {2}/.exec(lines[failed])?.[1];
  assert.ok(job, lines[failed]);
  const ofJob = lines.slice(failed + 1).filter((l) => l.includes(`  ${job}  `));
  assert.match(ofJob[0] ?? '', /failover from sweden: attempt 2 on westeurope/);
  assert.match(ofJob[1] ?? '', /completed on westeurope after [\d.]+ s \(simulated [\d.]+ s\), 2 attempt\(s\)$/);
  // Wall-clock first, the simulated clock beside it.
  assert.match(lines[failed], /^\d\d:\d\d:\d\d \(simulated \d\d:\d\d:\d\d\) {2}/);
  assert.deepEqual(await demo.stop('SIGTERM'), { code: 0, signal: null });
});
