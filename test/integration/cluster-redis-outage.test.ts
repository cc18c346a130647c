// Redis stopped and restarted under load (issue 10), on a private redis-server with AOF: while it is
// down /readyz answers 503 and new requests get 503 store_unavailable with retry-after; running
// attempts go on; when it is back the replicas recover by themselves and every acknowledged job
// finishes exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { getJson, postJson, readSse } from '../helpers/sse.js';
import { eventually } from '../helpers/process.js';
import { clusterEnv, startCluster, startPrivateRedis } from '../helpers/cluster.js';

const auth = { authorization: `Bearer ${clusterEnv.CLIENT_KEY}` };
const async = { ...auth, prefer: 'respond-async' };
const scenario = `
name: outage
deployments:
  - { name: gpt-image-1, form: openai, model: gpt-image-1, latency_factor: 3 }
`;

async function readyz(url: string): Promise<number> {
  const res = await request(`${url}/readyz`);
  await res.body.dump();
  return res.statusCode;
}

test('Redis stopped and restarted under load: clear 503s, then recovery, nothing acknowledged lost', { timeout: 600_000 }, async (t) => {
  const redis = await startPrivateRedis(t);
  const cluster = await startCluster(t, { replicas: 2, scenarioYaml: scenario, timeScale: 0.01, redisUrl: redis.url, leaseMs: 1500 });
  const [a, b] = cluster.replicas;
  const sim = cluster.fixture.sim;

  const ids: string[] = [];
  for (let i = 0; i < 4; i += 1) {
    const made = await postJson(`${cluster.replicas[i % 2].url}/v1/images/generations`,
      { model: 'gpt-image-1', prompt: `outage ${i}`, size: '1024x1024', quality: 'medium' }, async);
    assert.equal(made.status, 202);
    ids.push(String(made.json.id));
  }
  await eventually(() => (sim.stats().deployments['gpt-image-1'].in_flight >= 2 ? true : undefined), 'upstream calls in flight');

  await redis.stop();
  for (const replica of [a, b]) {
    await eventually(async () => ((await readyz(replica.url)) === 503 ? true : undefined), 'readyz 503', 10_000);
    const refused = await postJson(`${replica.url}/v1/images/generations`, { model: 'gpt-image-1', prompt: 'during the outage', size: '1024x1024', quality: 'low' }, auth);
    assert.equal(refused.status, 503, JSON.stringify(refused.json));
    const error = refused.json.error as Record<string, unknown>;
    assert.equal(error.code, 'store_unavailable');
    assert.equal(error.type, 'server_error');
    assert.ok(Number(refused.headers['retry-after']) >= 1, 'retry-after');
  }
  // Let leases run out while Redis is away, then bring it back.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  await redis.start();
  for (const replica of [a, b]) await eventually(async () => ((await readyz(replica.url)) === 200 ? true : undefined), 'readyz 200 again', 15_000);

  for (const id of ids) {
    const log = await readSse(`${b.url}/v1/images/jobs/${id}/events`, { method: 'GET', headers: auth });
    const seq = log.frames.map((f) => Number(f.id));
    assert.deepEqual(seq, seq.map((_, i) => i + 1), `event ids of ${id}: ${seq.join(',')}`);
    const types = log.frames.map((f) => f.event);
    assert.equal(types.filter((e) => e === 'job.completed').length, 1, types.join(','));
    assert.equal((await getJson(`${a.url}/v1/images/jobs/${id}`, auth)).json.status, 'succeeded');
  }
  const after = await postJson(`${a.url}/v1/images/generations`, { model: 'gpt-image-1', prompt: 'after the outage', size: '1024x1024', quality: 'low' }, auth);
  assert.equal(after.status, 200);
  t.diagnostic(`upstream completions ${sim.stats().deployments['gpt-image-1'].attempts_by_outcome.completed} for ${ids.length + 1} jobs`);
});
