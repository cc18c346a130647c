// A managed key's limits, enforced before any upstream call: budget (429 insufficient_quota), rpm
// and concurrency (429 rate_limit_exceeded with retry-after) under concurrent load, and a key at
// its limit never holds up another key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startStack, seedConfig, seedEnv } from '../helpers/stack.js';
import { ADMIN_KEY, createKey } from '../helpers/admin.js';
import { eventually } from '../helpers/process.js';
import { getJson, postJson } from '../helpers/sse.js';

const admin = 'admin: { keys: [env:HOLDFAST_ADMIN_KEY] }';
const env = { ...seedEnv, HOLDFAST_ADMIN_KEY: ADMIN_KEY };
const body = { model: 'gpt-image-2', prompt: 'a red apple', size: '1024x1024', quality: 'low' } as const;

test('a key over its budget is refused with insufficient_quota and no upstream call', async (t) => {
  const stack = await startStack(t, { config: seedConfig(admin), env });
  const { key } = await createKey(stack.url, { name: 'tiny budget', budget_usd: 0.0001, budget_period: 'day' });
  const client = new OpenAI({ apiKey: key, baseURL: `${stack.url}/v1`, maxRetries: 0 });
  // Under budget (nothing spent yet): served, and it costs more than the budget.
  assert.ok((await client.images.generate(body)).data?.[0]?.b64_json);
  const upstreamCalls = stack.sim.stats().requests_total;
  await assert.rejects(client.images.generate(body), (error: unknown) => {
    assert.ok(error instanceof OpenAI.RateLimitError, String(error));
    assert.equal(error.code, 'insufficient_quota');
    assert.equal((error.error as { type?: string }).type, 'insufficient_quota');
    return true;
  });
  assert.equal(stack.sim.stats().requests_total, upstreamCalls, 'the refused request never reached an upstream');
});

test('an rpm limit holds under concurrent load, with retry-after', async (t) => {
  // Real time: the 60 s window must not pass while a loaded machine is still sending the burst.
  const stack = await startStack(t, { config: seedConfig(admin), env, timeScale: 1 });
  const rpmKey = await createKey(stack.url, { name: 'rpm 3', rpm: 3 });
  const submit = (key: string) => postJson(`${stack.url}/v1/images/generations`, body, { authorization: `Bearer ${key}`, prefer: 'respond-async' });
  const rpmAnswers = await Promise.all(Array.from({ length: 8 }, () => submit(rpmKey.key)));
  assert.equal(rpmAnswers.filter((r) => r.status === 202).length, 3);
  const rpmRefused = rpmAnswers.filter((r) => r.status === 429);
  assert.equal(rpmRefused.length, 5);
  for (const r of rpmRefused) {
    assert.equal((r.json.error as Record<string, unknown>).code, 'rate_limit_exceeded');
    assert.ok(Number(r.headers['retry-after']) > 0 && Number(r.headers['retry-after']) <= 60, String(r.headers['retry-after']));
  }
});

test('a concurrency limit holds under concurrent load, with retry-after, and never holds up another key', async (t) => {
  const stack = await startStack(t, { config: seedConfig(admin), env });
  const slotKey = await createKey(stack.url, { name: 'two at once', max_concurrency: 2 });
  const freeKey = await createKey(stack.url, { name: 'unlimited' });
  const submit = (key: string) => postJson(`${stack.url}/v1/images/generations`, body, { authorization: `Bearer ${key}`, prefer: 'respond-async' });

  const slotAnswers = await Promise.all(Array.from({ length: 6 }, () => submit(slotKey.key)));
  const accepted = slotAnswers.filter((r) => r.status === 202);
  assert.equal(accepted.length, 2);
  assert.ok(slotAnswers.filter((r) => r.status === 429).every((r) => (r.json.error as Record<string, unknown>).code === 'rate_limit_exceeded' && r.headers['retry-after'] !== undefined));

  // While the limited keys hold their jobs, another key is served.
  const other = await submit(freeKey.key);
  assert.equal(other.status, 202);
  const otherId = String(other.json.id);
  await eventually(async () => {
    const job = await getJson(`${stack.url}/v1/images/jobs/${otherId}`, { authorization: `Bearer ${freeKey.key}` });
    return job.json.status === 'succeeded' ? true : undefined;
  }, 'the unlimited key\'s job', 20_000);

  // Once the two jobs end, their slots are free again.
  for (const r of accepted) {
    await eventually(async () => {
      const job = await getJson(`${stack.url}/v1/images/jobs/${String(r.json.id)}`, { authorization: `Bearer ${slotKey.key}` });
      return job.json.status === 'succeeded' ? true : undefined;
    }, 'the limited key\'s jobs', 20_000);
  }
  // The slots are free before the jobs are seen to end: the next request is admitted at once.
  const again = await submit(slotKey.key);
  assert.equal(again.status, 202, JSON.stringify(again.json));
});
