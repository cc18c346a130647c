// A key's budget under concurrency: each admitted job reserves its estimated cost until it ends,
// so requests arriving together cannot all pass a budget that only one of them fits (the spend of
// a job is booked only when its attempts end). The same on SQLite and on Redis.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, seedConfig, seedEnv, type Stack } from '../helpers/stack.js';
import { ADMIN_KEY, adminCall, createKey } from '../helpers/admin.js';
import { eventually } from '../helpers/process.js';
import { getJson, postJson } from '../helpers/sse.js';
import { testRedisUrl, useRedisPrefix } from '../helpers/redis-prefix.js';

const admin = 'admin: { keys: [env:HOLDFAST_ADMIN_KEY] }';
const env = { ...seedEnv, HOLDFAST_ADMIN_KEY: ADMIN_KEY, REDIS_URL: testRedisUrl() };
const body = { model: 'gpt-image-2', prompt: 'a red apple', size: '1024x1024', quality: 'low' } as const;

function stackOn(t: TestContext, store: 'sqlite' | 'redis'): Promise<Stack> {
  const config = seedConfig(admin);
  if (store === 'sqlite') return startStack(t, { config, env });
  const prefix = useRedisPrefix(t);
  return startStack(t, { config: config.replace(/^store: .*$/m, `store: { kind: redis, url: env:REDIS_URL, prefix: "${prefix}" }`), env });
}

for (const store of ['sqlite', 'redis'] as const) {
  test(`${store}: a budget that fits one job admits one of two concurrent requests; the other gets insufficient_quota and no upstream call`, async (t) => {
    const stack = await stackOn(t, store);
    // gpt-image-2 low 1024x1024: 272 output tokens at $30/1M ≈ $0.0082 (plus a few prompt tokens).
    const { id, key } = await createKey(stack.url, { name: 'one job', budget_usd: 0.008, budget_period: 'day' });
    const submit = () => postJson(`${stack.url}/v1/images/generations`, body, { authorization: `Bearer ${key}`, prefer: 'respond-async' });
    const answers = await Promise.all([submit(), submit()]);
    assert.deepEqual(answers.map((a) => a.status).sort(), [202, 429]);
    const refused = answers.find((a) => a.status === 429);
    assert.equal((refused?.json.error as Record<string, unknown>).code, 'insufficient_quota');
    const accepted = answers.find((a) => a.status === 202);
    const jobUrl = `${stack.url}${String(accepted?.headers.location)}`;
    const job = await eventually(async () => {
      const { json } = await getJson(jobUrl, { authorization: `Bearer ${key}` });
      return json.status === 'succeeded' ? json : undefined;
    }, 'the admitted job succeeds');
    assert.equal(stack.sim.stats().requests_total, 1, 'one upstream call: the refused request never reached an upstream');
    // The reservation is gone with the job; the key now holds its real spend, past the budget.
    const listed = await adminCall(stack.url, 'GET', `/v1/holdfast/keys/${id}`);
    assert.equal(listed.json.spend_usd, job.cost_usd);
    const after = await submit();
    assert.equal(after.status, 429);
    assert.equal(stack.sim.stats().requests_total, 1);
  });
}
