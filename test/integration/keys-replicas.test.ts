// Managed keys on three replicas sharing one Redis (issue 13): a key made on one replica works on
// every other, its revocation answers 401 on the very next request everywhere, its rpm,
// concurrency and budget limits are global (not per replica), and the usage report of any replica
// covers the jobs every replica ran. Real child processes, real Redis (unique prefix, deleted after).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, postJson } from '../helpers/sse.js';
import { eventually } from '../helpers/process.js';
import { startCluster } from '../helpers/cluster.js';
import { ADMIN_KEY, adminCall, createKey } from '../helpers/admin.js';
import { Redis } from 'ioredis';

const SMALL = { model: 'gpt-image-1', prompt: 'a lighthouse', size: '1024x1024', quality: 'low' };
const scenario = `
name: keys-cluster
deployments:
  - { name: gpt-image-1, form: openai, model: gpt-image-1, latency_factor: 0.05 }
  - { name: slow, form: azure, model: gpt-image-1, latency_factor: 0.25 }
`;

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const submitTo = (url: string, key: string, prompt = SMALL.prompt) =>
  postJson(`${url}/v1/images/generations`, { ...SMALL, prompt }, { ...bearer(key), prefer: 'respond-async' });
/** Every value stored under the prefix, as text (strings, hashes, sorted sets, streams). */
async function storedText(url: string, prefix: string): Promise<string> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    const parts: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        if (type === 'string') parts.push(key, String(await redis.get(key)));
        if (type === 'hash') parts.push(key, JSON.stringify(await redis.hgetall(key)));
        if (type === 'zset') parts.push(key, JSON.stringify(await redis.zrange(key, '0', '-1')));
        if (type === 'stream') parts.push(key, JSON.stringify(await redis.xrange(key, '-', '+')));
      }
    } while (cursor !== '0');
    return parts.join('\n');
  } finally {
    redis.disconnect();
  }
}

const codeOf = (json: Record<string, unknown>) => (json.error as Record<string, unknown> | undefined)?.code;

test('managed keys on three replicas of one Redis are one set of keys with global limits', { timeout: 300_000 }, async (t) => {
  const cluster = await startCluster(t, {
    replicas: 3, scenarioYaml: scenario, timeScale: 1, leaseMs: 1500,
    models: '  slow: { deployments: [slow] }',
    deployments: '  slow: { provider: azure, base_url: "{{SIM}}", deployment: slow, api_key: env:UPSTREAM_KEY, model: gpt-image-1 }',
    extra: 'admin: { keys: [env:HOLDFAST_ADMIN_KEY] }', env: { HOLDFAST_ADMIN_KEY: ADMIN_KEY },
  });
  const [a, b, c] = cluster.replicas;
  const urls = [a.url, b.url, c.url];

  await t.test('a key created on A works on B; revoked on A, it gets 401 on the next request on B and C', async () => {
    const { id, key } = await createKey(a.url, { name: 'revocable' });
    assert.equal((await submitTo(b.url, key)).status, 202);
    const stored = await storedText(cluster.redisUrl, cluster.prefix);
    assert.ok(stored.includes(id), 'the key is in Redis');
    assert.ok(!stored.includes(key), 'the plain key is not stored in Redis');
    for (const replica of cluster.replicas) assert.ok(!replica.logTail().includes(key), 'the plain key is not logged');
    assert.equal((await adminCall(a.url, 'DELETE', `/v1/holdfast/keys/${id}`)).status, 200);
    for (const url of [b.url, c.url]) {
      const after = await submitTo(url, key);
      assert.equal(after.status, 401, JSON.stringify(after.json));
      assert.equal(codeOf(after.json), 'invalid_api_key');
    }
    const listed = await adminCall(c.url, 'GET', `/v1/holdfast/keys/${id}`);
    assert.equal(typeof listed.json.revoked_at, 'number', JSON.stringify(listed.json));
  });

  await t.test('an rpm limit is global: 9 concurrent requests spread over the replicas, 3 admitted', async () => {
    const { key } = await createKey(b.url, { name: 'rpm 3', rpm: 3 });
    const answers = await Promise.all(Array.from({ length: 9 }, (_, i) => submitTo(urls[i % 3], key, `rpm ${i}`)));
    assert.equal(answers.filter((r) => r.status === 202).length, 3, JSON.stringify(answers.map((r) => r.status)));
    const refused = answers.filter((r) => r.status === 429);
    assert.equal(refused.length, 6);
    assert.ok(refused.every((r) => codeOf(r.json) === 'rate_limit_exceeded' && Number(r.headers['retry-after']) > 0));
  });

  await t.test('a concurrency limit is global: 6 concurrent requests over the replicas, 2 admitted, a slot freed on one is free on all', async () => {
    const { key } = await createKey(c.url, { name: 'two at once', max_concurrency: 2 });
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => submitTo(urls[i % 3], key, `slot ${i}`)));
    const accepted = answers.filter((r) => r.status === 202);
    assert.equal(accepted.length, 2, JSON.stringify(answers.map((r) => r.status)));
    assert.ok(answers.filter((r) => r.status === 429).every((r) => codeOf(r.json) === 'rate_limit_exceeded'));
    for (const r of accepted) {
      await eventually(async () => {
        const { json } = await getJson(`${a.url}${String(r.headers.location)}`, bearer(key));
        return json.status === 'succeeded' ? true : undefined;
      }, 'the admitted job succeeds', 60_000);
    }
    // Both slots were released by whichever replica ran the job: the key may run two again, anywhere.
    const again = await Promise.all([submitTo(b.url, key, 'again 1'), submitTo(c.url, key, 'again 2')]);
    assert.deepEqual(again.map((r) => r.status), [202, 202]);
  });

  await t.test('a budget that fits one job admits one of two requests sent to two replicas at once', async () => {
    // gpt-image-1 low 1024x1024: 272 output tokens at $40/1M ≈ $0.011, more than the budget.
    const { key } = await createKey(a.url, { name: 'one job', budget_usd: 0.01, budget_period: 'total' });
    const answers = await Promise.all([submitTo(a.url, key, 'budget a'), submitTo(b.url, key, 'budget b')]);
    assert.deepEqual(answers.map((r) => r.status).sort(), [202, 429]);
    assert.equal(codeOf(answers.find((r) => r.status === 429)?.json ?? {}), 'insufficient_quota');
  });

  await t.test('the usage report on B covers the jobs run on A, and key spend is the same on every replica', async () => {
    const { id, key } = await createKey(a.url, { name: 'reported' });
    const jobs = [];
    for (const prompt of ['usage 1', 'usage 2']) {
      const submitted = await submitTo(a.url, key, prompt);
      assert.equal(submitted.status, 202);
      jobs.push(await eventually(async () => {
        const { json } = await getJson(`${a.url}${String(submitted.headers.location)}`, bearer(key));
        return json.status === 'succeeded' ? json : undefined;
      }, 'the job succeeds', 60_000));
    }
    const jobCost = jobs.reduce((sum, j) => sum + Number(j.cost_usd), 0);
    const report = await adminCall(b.url, 'GET', '/v1/holdfast/usage?group_by=key');
    const row = (report.json.data as Record<string, unknown>[]).find((r) => r.id === id);
    assert.ok(row, JSON.stringify(report.json));
    assert.deepEqual([row.name, row.images, row.attempts], ['reported', 2, 2]);
    assert.ok(Math.abs(Number(row.cost_usd) - jobCost) < 1e-9, `${String(row.cost_usd)} vs ${jobCost}`);
    for (const url of urls) {
      const listed = await adminCall(url, 'GET', `/v1/holdfast/keys/${id}`);
      assert.ok(Math.abs(Number(listed.json.spend_total_usd) - jobCost) < 1e-9, JSON.stringify(listed.json));
    }
  });

  await t.test('a slot does not leak when the replica running its job dies: the replica that takes the job over frees it', async () => {
    const { key } = await createKey(a.url, { name: 'one at once', max_concurrency: 1 });
    const submitted = await postJson(`${c.url}/v1/images/generations`, { ...SMALL, model: 'slow', prompt: 'takeover' }, { ...bearer(key), prefer: 'respond-async' });
    assert.equal(submitted.status, 202, JSON.stringify(submitted.json));
    const jobUrl = `${a.url}${String(submitted.headers.location)}`;
    await eventually(async () => {
      const { json } = await getJson(jobUrl, bearer(key));
      return json.status === 'running' ? true : undefined;
    }, 'the job runs on C');
    await c.kill('SIGKILL');
    // The job lives on (another replica takes it over), so its slot is still held.
    const meanwhile = await submitTo(b.url, key, 'while taken over');
    assert.equal(meanwhile.status, 429, JSON.stringify(meanwhile.json));
    await eventually(async () => {
      const { json } = await getJson(jobUrl, bearer(key));
      return json.status === 'succeeded' ? true : undefined;
    }, 'the job finishes on A or B', 90_000);
    assert.equal((await submitTo(b.url, key, 'after the takeover')).status, 202, 'the slot was freed by the replica that ended the job');
  });
});
