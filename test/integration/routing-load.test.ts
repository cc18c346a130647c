// Routing under load on the seed scenario: 200 large generations across a flaky region (Sweden,
// ~33 % mid-stream errors at 2048x2048) and a steady one (West Europe, ~5 %), each at 10 requests a
// minute. Every request is delivered, holdfast causes no upstream 429, and the steady region gets
// the larger share once its record shows. Virtual time (ManualClock), so the result does not depend on the machine's load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../helpers/stack.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { getJson, postJson } from '../helpers/sse.js';
import type { SimStats } from '../../src/simulator/stats.js';

const SWEDEN = 'gpt-image-2-1';
const WESTEUROPE = 'gpt-image-2-westeurope';

function twoRegionConfig(extra = ''): string {
  return `
listen: { host: 127.0.0.1, port: 0 }
store: { kind: memory }
blobs: { path: "{{DATA}}/images" }
jobs: { default_deadline_ms: 7200000 }
retry: { max_attempts: 8, base_delay_ms: 1000, max_delay_ms: 30000 }
models:
  gpt-image-2: { deployments: [sweden, westeurope], queue: { max_depth: 400, max_wait_ms: 3600000 } }
deployments:
  sweden: { provider: azure, base_url: "{{SIM}}", deployment: ${SWEDEN}, api_key: env:AZURE_SWEDEN_KEY, model: gpt-image-2, rpm: 10, region: swedencentral }
  westeurope: { provider: azure, base_url: "{{SIM}}", deployment: ${WESTEUROPE}, api_key: env:AZURE_WE_KEY, model: gpt-image-2, rpm: 10, region: westeurope }
${extra}`;
}

const twoRegionEnv = { AZURE_SWEDEN_KEY: 'sk-sweden-secret', AZURE_WE_KEY: 'sk-we-secret' };

/**
 * One prompt for all: the simulator caches its render, and small JPEGs keep JSON work low, so real
 * CPU time (amplified 100x by the time scale) does not distort simulated time.
 */
const LARGE_LOW = { model: 'gpt-image-2', prompt: 'a lighthouse on a cliff', size: '2048x2048', quality: 'low', output_format: 'jpeg', output_compression: 5 };

function attempts(stats: SimStats): { sweden: number; westeurope: number } {
  return { sweden: stats.deployments[SWEDEN].requests, westeurope: stats.deployments[WESTEUROPE].requests };
}

test('200 generations at 2048x2048 across a flaky and a steady region at 10 rpm each all succeed, cause no 429 and favour the steady region', async (t) => {
  const clock = new ManualClock();
  const stack = await startStack(t, { config: twoRegionConfig(), env: twoRegionEnv, clock, seed: 3 });
  const total = 200;
  const pending: Promise<{ status: number; images: number; error?: unknown }>[] = [];
  let firstHalf = { sweden: 0, westeurope: 0 };
  let finished = 0;
  // Arrivals at 10 a minute: the steady region alone could serve them, so the router has a choice.
  // Virtual time moves in 100 ms steps with a full event-loop turn after each, so real CPU load
  // never shows up as simulated delay (one prompt: the simulator renders its image only once).
  for (let at = 0; finished < total; at += 100) {
    if (at % 6_000 === 0 && pending.length < total) {
      if (pending.length === total / 2) firstHalf = attempts(stack.sim.stats());
      pending.push(postJson(`${stack.url}/v1/images/generations`, LARGE_LOW).then((r) => {
        finished += 1;
        return { status: r.status, images: Array.isArray(r.json.data) ? r.json.data.length : 0, error: r.json.error };
      }));
    }
    await clock.advanceBy(100, { stepMs: 100 });
    assert.ok(at < 3 * 3_600_000, 'all done within three simulated hours');
  }
  const results = await Promise.all(pending);
  const stats = stack.sim.stats();
  assert.deepEqual(results.filter((r) => r.status !== 200), []);
  assert.ok(results.every((r) => r.images === 1));
  assert.equal(stats.rate_limited_total, 0, 'holdfast never spent a deployment beyond its budget');
  assert.equal(stats.deployments[SWEDEN].attempts_by_outcome.timeout_408 + stats.deployments[WESTEUROPE].attempts_by_outcome.timeout_408, 0);
  assert.ok(stats.faults_injected > 0, 'the flaky region did fail some attempts');

  const all = attempts(stats);
  const secondHalf = { sweden: all.sweden - firstHalf.sweden, westeurope: all.westeurope - firstHalf.westeurope };
  const share = (a: { sweden: number; westeurope: number }): number => a.westeurope / (a.sweden + a.westeurope);
  t.diagnostic(`attempts ${JSON.stringify({ firstHalf, secondHalf })}, faults ${stats.faults_injected}`);
  assert.ok(share(all) > 0.6, `West Europe took ${(share(all) * 100).toFixed(0)} % of the attempts`);
  assert.ok(share(secondHalf) > 0.65, `West Europe took ${(share(secondHalf) * 100).toFixed(0)} % of the later attempts`);

  const health = await getJson(`${stack.url}/v1/holdfast/deployments`);
  const rows = health.json.data as { deployment: string; size_class: string; success_rate: number; requests: number }[];
  const large = (id: string) => rows.find((r) => r.deployment === id && r.size_class === 'large');
  assert.equal((large('sweden')?.requests ?? 0) + (large('westeurope')?.requests ?? 0), all.sweden + all.westeurope);
  assert.ok((large('sweden')?.success_rate ?? 1) < (large('westeurope')?.success_rate ?? 0), JSON.stringify(rows));
});
