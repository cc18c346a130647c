// A region that fails every call on the seed scenario: its circuit opens (health table and
// /metrics), traffic goes to the other region, and once it recovers a probe closes the circuit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startStack, type Stack } from '../helpers/stack.js';
import { getJson, postJson } from '../helpers/sse.js';

const SWEDEN = 'gpt-image-2-1';

const config = `
listen: { host: 127.0.0.1, port: 0 }
store: { kind: memory }
blobs: { path: "{{DATA}}/images" }
jobs: { default_deadline_ms: 3600000 }
circuit: { window_ms: 300000, min_requests: 3, failure_rate: 0.5, cooldown_ms: 240000 }
models:
  gpt-image-2: { deployments: [sweden, westeurope], queue: { max_depth: 100, max_wait_ms: 1800000 } }
deployments:
  sweden: { provider: azure, base_url: "{{SIM}}", deployment: ${SWEDEN}, api_key: env:AZURE_SWEDEN_KEY, model: gpt-image-2, rpm: 10 }
  westeurope: { provider: azure, base_url: "{{SIM}}", deployment: gpt-image-2-westeurope, api_key: env:AZURE_WE_KEY, model: gpt-image-2, rpm: 10 }
`;
const env = { AZURE_SWEDEN_KEY: 'sk-sweden-secret', AZURE_WE_KEY: 'sk-we-secret' };
const SMALL = { model: 'gpt-image-2', prompt: 'a small boat', size: '1024x1024', quality: 'low', output_format: 'jpeg', output_compression: 5 };

async function circuitOf(stack: Stack, deployment: string): Promise<{ table: string; metric: string | undefined }> {
  const health = await getJson(`${stack.url}/v1/holdfast/deployments`);
  const rows = health.json.data as { deployment: string; size_class: string; circuit: string }[];
  const table = rows.find((r) => r.deployment === deployment && r.size_class === 'small')?.circuit ?? 'missing';
  const text = await (await request(`${stack.url}/metrics`)).body.text();
  const line = text.split('\n').find((l) => l.startsWith(`holdfast_circuit_state{deployment="${deployment}",size_class="small"}`));
  return { table, metric: line?.split(' ').at(-1) };
}

async function setFaults(stack: Stack, method: 'POST' | 'DELETE', body?: unknown): Promise<void> {
  const res = await request(`${stack.sim.url}/_sim/deployments/${SWEDEN}/faults`, {
    method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined,
  });
  assert.equal(res.statusCode, 200, await res.body.text());
}

async function generate(stack: Stack, count: number): Promise<number[]> {
  const results = await Promise.all(Array.from({ length: count }, () => postJson(`${stack.url}/v1/images/generations`, SMALL)));
  return results.map((r) => r.status);
}

test('a region that fails every call opens its circuit, traffic moves to the other, and a probe closes it after recovery', async (t) => {
  const stack = await startStack(t, { config, env, timeScale: 0.01, seed: 5 });
  await setFaults(stack, 'POST', { all: { http_500: 1 } });

  // A burst bigger than one region's budget: Sweden gets its share, fails it, and its circuit opens.
  assert.deepEqual(await generate(stack, 12), Array(12).fill(200));
  const swedenCalls = () => stack.sim.stats().deployments[SWEDEN].requests;
  const failedCalls = swedenCalls();
  assert.ok(failedCalls >= 3, `Sweden was called ${failedCalls} times`);
  assert.equal(stack.sim.stats().deployments[SWEDEN].attempts_by_outcome.completed, 0);
  assert.deepEqual(await circuitOf(stack, 'sweden'), { table: 'open', metric: '2' });

  // While open, nothing goes to Sweden: the other region serves everything.
  assert.deepEqual(await generate(stack, 4), Array(4).fill(200));
  assert.equal(swedenCalls(), failedCalls, 'no call reached the open region');

  // Sweden recovers; after the cool-down the circuit half-opens and the next request is its probe.
  await setFaults(stack, 'DELETE');
  await stack.clock.sleep(245_000);
  assert.deepEqual(await circuitOf(stack, 'sweden'), { table: 'half_open', metric: '1' });
  assert.deepEqual(await generate(stack, 1), [200]);
  assert.equal(stack.sim.stats().deployments[SWEDEN].attempts_by_outcome.completed, 1, 'the probe went to Sweden and succeeded');
  assert.deepEqual(await circuitOf(stack, 'sweden'), { table: 'closed', metric: '0' });
});
