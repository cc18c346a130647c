// A deployment's limits on a cluster (issue 10): `concurrency` is one count for all replicas (slots
// in Redis), so requests spread over two replicas never put more attempts in flight upstream than
// the deployment allows; they wait in the model's queue and all finish. And the budget every replica
// shows (/v1/holdfast/deployments, holdfast_rate_limit_remaining) is the cluster's, the same on each.
// Real child processes, real Redis (unique prefix, deleted after), simulator at time scale 1 (~1 s
// per 1024x1024 low).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { getJson, postJson } from '../helpers/sse.js';
import { eventually } from '../helpers/process.js';
import { clusterEnv, startCluster } from '../helpers/cluster.js';

const auth = { authorization: `Bearer ${clusterEnv.CLIENT_KEY}` };
const scenario = `
name: cluster-concurrency
deployments:
  - { name: gpt-image-1, form: openai, model: gpt-image-1, latency_factor: 0.05 }
`;

async function remainingOn(url: string): Promise<{ table: unknown[]; metric: number | undefined }> {
  const rows = (await getJson(`${url}/v1/holdfast/deployments`, auth)).json.data as { deployment: string; budget: { remaining: number | null; limit: number | null } }[];
  const text = await (await request(`${url}/metrics`)).body.text();
  const line = text.split('\n').find((l) => l.startsWith('holdfast_rate_limit_remaining{deployment="sim"}'));
  return { table: rows.filter((r) => r.deployment === 'sim').map((r) => r.budget.remaining), metric: line ? Number(line.split(' ').at(-1)) : undefined };
}

test('concurrency 1 on a deployment holds across two replicas, and both show the cluster\'s budget', { timeout: 120_000 }, async (t) => {
  const cluster = await startCluster(t, {
    replicas: 2, scenarioYaml: scenario, timeScale: 1, leaseMs: 1500, deployment: ', concurrency: 1, rate_limit: { requests: 20, window_ms: 600000 }',
  });
  const results = await Promise.all(Array.from({ length: 6 }, (_, i) =>
    postJson(`${cluster.replicas[i % 2].url}/v1/images/generations`, { model: 'gpt-image-1', prompt: `one at a time ${i}`, size: '1024x1024', quality: 'low' }, auth)));
  assert.deepEqual(results.map((r) => r.status), Array(6).fill(200), JSON.stringify(results.find((r) => r.status !== 200)?.json));
  const stats = cluster.fixture.sim.stats().deployments['gpt-image-1'];
  assert.equal(stats.requests, 6);
  assert.equal(stats.peak_concurrency, 1, 'never two attempts in flight upstream at once, whichever replica sent them');

  // 6 of the 20 starts are taken, 3 by each replica: both say 14 left, in the table and in /metrics.
  for (const replica of cluster.replicas) {
    const seen = await eventually(async () => {
      const view = await remainingOn(replica.url);
      return view.metric === 14 && view.table.every((r) => r === 14) ? view : undefined;
    }, `the cluster's budget on ${replica.url}`, 5_000).catch(async () => remainingOn(replica.url));
    assert.deepEqual({ metric: seen.metric, table: [...new Set(seen.table)] }, { metric: 14, table: [14] });
  }
});
