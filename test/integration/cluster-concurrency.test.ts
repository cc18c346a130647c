// A deployment's `concurrency` on a cluster (issue 10): the limit is one count for all replicas (slots
// in Redis), so requests spread over two replicas never put more attempts in flight upstream than
// the deployment allows; they wait in the model's queue and all finish. Real child processes, real
// Redis (unique prefix, deleted after), simulator at time scale 1 (~1 s per 1024x1024 low).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { postJson } from '../helpers/sse.js';
import { clusterEnv, startCluster } from '../helpers/cluster.js';

const auth = { authorization: `Bearer ${clusterEnv.CLIENT_KEY}` };
const scenario = `
name: cluster-concurrency
deployments:
  - { name: gpt-image-1, form: openai, model: gpt-image-1, latency_factor: 0.05 }
`;

test('concurrency 1 on a deployment holds across two replicas: one attempt in flight upstream at a time', { timeout: 120_000 }, async (t) => {
  const cluster = await startCluster(t, { replicas: 2, scenarioYaml: scenario, timeScale: 1, leaseMs: 1500, deployment: ', concurrency: 1' });
  const results = await Promise.all(Array.from({ length: 6 }, (_, i) =>
    postJson(`${cluster.replicas[i % 2].url}/v1/images/generations`, { model: 'gpt-image-1', prompt: `one at a time ${i}`, size: '1024x1024', quality: 'low' }, auth)));
  assert.deepEqual(results.map((r) => r.status), Array(6).fill(200), JSON.stringify(results.find((r) => r.status !== 200)?.json));
  const stats = cluster.fixture.sim.stats().deployments['gpt-image-1'];
  assert.equal(stats.requests, 6);
  assert.equal(stats.peak_concurrency, 1, 'never two attempts in flight upstream at once, whichever replica sent them');
});
