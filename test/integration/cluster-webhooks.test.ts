// Webhooks on a cluster (issue 10): a pending delivery is owned by one replica at a time (a claim in
// Redis, like a job's lease). A replica that starts while another is delivering leaves it alone; when
// the delivering replica dies, another takes the delivery over within the lease bound and sends the
// next try of the same message, once. Real child processes, real Redis (unique prefix, deleted after).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { getJson, postJson } from '../helpers/sse.js';
import { eventually } from '../helpers/process.js';
import { clusterEnv, startCluster } from '../helpers/cluster.js';
import { startReceiver } from '../helpers/webhook-receiver.js';

const auth = { authorization: `Bearer ${clusterEnv.CLIENT_KEY}` };
const LEASE_MS = 1500;
const scenario = `
name: cluster-webhooks
deployments:
  - { name: gpt-image-1, form: openai, model: gpt-image-1, latency_factor: 0.02 }
`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('a pending webhook is sent by one replica at a time, and taken over once when that replica dies', { timeout: 120_000 }, async (t) => {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  // Try 1 fails; try 2 gets no answer (its sender's try stays in flight); the next try succeeds.
  const receiver = await startReceiver(t, [500, 'hang', 200]);
  // After the 500 the retry would come up to a minute later: the first replica is killed before it.
  const cluster = await startCluster(t, {
    replicas: 1, scenarioYaml: scenario, timeScale: 1, leaseMs: LEASE_MS, env: { WEBHOOK_SECRET: secret },
    extra: 'webhooks: { secret: env:WEBHOOK_SECRET, allow_private_addresses: true, base_delay_ms: 60000, max_delay_ms: 60000, max_attempts: 4, timeout_ms: 60000 }',
  });
  const [a] = cluster.replicas;
  const created = await postJson(`${a.url}/v1/images/generations`, { model: 'gpt-image-1', prompt: 'a weather vane', size: '1024x1024', quality: 'low' },
    { ...auth, prefer: 'respond-async', 'holdfast-webhook-url': receiver.url });
  assert.equal(created.status, 202, JSON.stringify(created.json));
  const jobId = String(created.json.id);
  await eventually(async () => {
    const job = await getJson(`${a.url}/v1/images/jobs/${jobId}`, auth);
    return (job.json.webhook_deliveries as unknown[] | undefined)?.length === 1 ? true : undefined;
  }, 'the first try recorded on the job');
  await a.kill('SIGKILL');
  assert.equal(receiver.received.length, 1);

  // B takes the pending delivery over from the dead A; its try hangs.
  const b = await cluster.spawn();
  await eventually(() => (receiver.received.length >= 2 ? true : undefined), 'B sends the next try', 4 * LEASE_MS + 5_000);

  // C starts while B is delivering: it must not send the same delivery at the same time.
  const c = await cluster.spawn();
  await sleep(3 * LEASE_MS);
  assert.equal(receiver.received.length, 2, 'a replica that starts leaves a delivery in flight on another replica alone');

  // B dies mid-try: C takes the delivery over within the lease bound and sends it, once.
  await b.kill('SIGKILL');
  const killedAt = Date.now();
  await eventually(() => (receiver.received.length >= 3 ? true : undefined), 'C takes the delivery over', 4 * LEASE_MS + 5_000);
  const takenMs = receiver.received[2].at - killedAt;
  t.diagnostic(`taken over ${takenMs} ms after the kill`);
  assert.ok(takenMs < 4 * LEASE_MS, `taken over ${takenMs} ms after the kill`);
  const deliveries = await eventually(async () => {
    const job = await getJson(`${c.url}/v1/images/jobs/${jobId}`, auth);
    const list = job.json.webhook_deliveries as Array<{ webhook_id: string; attempt: number; status: number | null }> | undefined;
    return list && list.length >= 2 ? list : undefined;
  }, 'the final try recorded');
  // B's hanging try never ended, so it is not recorded; C's try is the next one of the same message.
  assert.deepEqual(deliveries.map((d) => [d.attempt, d.status]), [[1, 500], [2, 200]]);
  const ids = new Set(receiver.received.map((r) => r.headers['webhook-id']));
  assert.equal(ids.size, 1, 'every try carries the same webhook-id');
  assert.equal(deliveries[0].webhook_id, receiver.received[0].headers['webhook-id']);

  // Delivered: no replica sends it again, neither C nor one started later, nor at shutdown.
  const d = await cluster.spawn();
  await sleep(2 * LEASE_MS);
  await Promise.all([c, d].map((r) => r.kill('SIGTERM')));
  assert.equal(receiver.received.length, 3);
});
