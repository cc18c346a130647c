// What every image really cost: a job's cost is the price table applied to the upstream's usage, a
// mid-stream failure before the success is one lost attempt with its cost, and the usage report
// and the cost metrics add up to the sum over jobs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startStack } from '../helpers/stack.js';
import { ADMIN_KEY, adminCall, createKey } from '../helpers/admin.js';
import { getJson, readSse } from '../helpers/sse.js';

// gpt-image-2 prices (USD per million tokens) set in the config, so the test does not depend on the shipped defaults.
const PRICE = { text: 5, imageIn: 8, imageOut: 30 };
const SCENARIO = `
name: cost
deployments:
  - { name: steady, form: openai, model: gpt-image-2, region: global }
  # No idle front: on a loaded machine a slow render must not turn the mid-stream error into a 408.
  - { name: flaky, form: azure, model: gpt-image-2, region: swedencentral, idle_timeout_ms: null, faults: { all: { stream_error: 0.5, after_partial: 0 } } }
`;

function config(): string {
  return `
listen: { host: 127.0.0.1, port: 0 }
admin: { keys: [env:HOLDFAST_ADMIN_KEY] }
store: { kind: sqlite, path: "{{DATA}}/holdfast.db" }
blobs: { path: "{{DATA}}/images" }
retry: { max_attempts: 6, base_delay_ms: 1000, max_delay_ms: 30000 }
prices:
  gpt-image-2: { text_input_per_1m: ${PRICE.text}, image_input_per_1m: ${PRICE.imageIn}, image_output_per_1m: ${PRICE.imageOut} }
models:
  steady: { deployments: [steady] }
  flaky: { deployments: [flaky] }
deployments:
  steady: { provider: openai, base_url: "{{SIM}}/v1", api_key: env:UPSTREAM_KEY, model: gpt-image-2 }
  flaky: { provider: azure, base_url: "{{SIM}}", deployment: flaky, api_key: env:UPSTREAM_KEY, model: gpt-image-2, idle_timeout_ms: null }
`;
}

interface Usage { input_tokens_details: { text_tokens: number; image_tokens: number }; output_tokens: number; output_tokens_details?: { image_tokens: number } }
interface Attempt { outcome: string; lost: boolean; usage: Usage | null; cost_usd: number | null; deployment: string }
interface Job { id: string; attempts: Attempt[]; usage: Usage | null; cost_usd: number | null; lost_cost_usd: number }

function priced(u: { input_tokens_details: { text_tokens: number; image_tokens: number }; output_tokens: number }): number {
  return Math.round(u.input_tokens_details.text_tokens * PRICE.text + u.input_tokens_details.image_tokens * PRICE.imageIn + u.output_tokens * PRICE.imageOut) / 1e6;
}

const near = (a: number, b: number): boolean => Math.abs(a - b) < 1e-9;

test('job cost is the price table applied to the upstream usage; a mid-stream failure is one lost attempt; reports add up', async (t) => {
  const stack = await startStack(t, { scenarioYaml: SCENARIO, config: config(), env: { HOLDFAST_ADMIN_KEY: ADMIN_KEY, UPSTREAM_KEY: 'sk-up' }, seed: 8, timeScale: 0.05 });
  const key = await createKey(stack.url, { name: 'team blue' });
  const client = new OpenAI({ apiKey: key.key, baseURL: `${stack.url}/v1`, maxRetries: 0 });
  const jobOf = async (id: string): Promise<Job> => (await getJson(`${stack.url}/v1/images/jobs/${id}`, { authorization: `Bearer ${key.key}` })).json as unknown as Job;
  const jobIds: string[] = [];

  // 1. A plain generation: its cost is the configured price applied to the usage the client got.
  const { data: plain, response } = await client.images.generate({ model: 'steady', prompt: 'a lighthouse at dusk', size: '1536x1024', quality: 'medium' }).withResponse();
  const plainId = String(response.headers.get('holdfast-job-id'));
  jobIds.push(plainId);
  const plainJob = await jobOf(plainId);
  assert.ok(plain.usage);
  assert.equal(plainJob.attempts.length, 1);
  assert.equal(plainJob.cost_usd, priced(plain.usage));
  assert.equal(plainJob.attempts[0].cost_usd, plainJob.cost_usd);
  assert.equal(plainJob.attempts[0].lost, false);
  assert.equal(plainJob.lost_cost_usd, 0);
  // The simulator bills the guide's 1568 tokens for 1536x1024 medium, plus 100 per partial it streamed.
  assert.equal((plainJob.usage?.output_tokens ?? 0) % 100, 1568 % 100);

  // 2. A stream whose first attempt fails after its first partial, then succeeds.
  const streamed = await readSse(`${stack.url}/v1/images/generations`, {
    headers: { authorization: `Bearer ${key.key}` },
    body: { model: 'flaky', prompt: 'a red bicycle', size: '1024x1024', quality: 'low', stream: true, partial_images: 2 },
  });
  assert.equal(streamed.frames.at(-1)?.event, 'image_generation.completed');
  const streamId = String(streamed.headers['holdfast-job-id']);
  jobIds.push(streamId);
  const streamJob = await jobOf(streamId);
  const failed = streamJob.attempts.filter((a) => a.outcome !== 'succeeded');
  assert.equal(failed.length, 1, `attempts: ${streamJob.attempts.map((a) => a.outcome).join(',')} (seed 8 fails the first one)`);
  const [lost] = failed;
  assert.equal(lost.outcome, 'stream_error');
  assert.equal(lost.lost, true);
  // It sent one partial before the error frame: 100 image tokens, as the upstream bills partials.
  assert.equal(lost.usage?.output_tokens, 100);
  assert.ok(lost.usage && lost.cost_usd === priced(lost.usage) && lost.cost_usd > 0);
  const won = streamJob.attempts.find((a) => a.outcome === 'succeeded');
  const completed = streamed.frames.at(-1)?.json as { usage: Usage };
  assert.ok(won?.usage);
  assert.equal(won.cost_usd, priced(completed.usage), 'the success costs what its completed event reports');
  assert.equal(streamJob.lost_cost_usd, lost.cost_usd);
  assert.ok(near(streamJob.cost_usd ?? 0, (lost.cost_usd ?? 0) + (won.cost_usd ?? 0)));

  // 3. The usage report: every grouping adds up to the sum over the jobs.
  const jobs = await Promise.all(jobIds.map(jobOf));
  const total = jobs.reduce((s, j) => s + (j.cost_usd ?? 0), 0);
  const lostTotal = jobs.reduce((s, j) => s + j.lost_cost_usd, 0);
  const attempts = jobs.reduce((s, j) => s + j.attempts.length, 0);
  const outputTokens = jobs.reduce((s, j) => s + (j.usage?.output_tokens ?? 0), 0);
  for (const groupBy of ['key', 'model', 'deployment', 'day']) {
    const report = await adminCall(stack.url, 'GET', `/v1/holdfast/usage?group_by=${groupBy}`);
    assert.equal(report.status, 200);
    assert.equal(report.json.object, 'list');
    const rows = report.json.data as Array<Record<string, number | string>>;
    const sum = (field: string): number => rows.reduce((s, r) => s + Number(r[field]), 0);
    assert.ok(near(sum('cost_usd'), total), `${groupBy}: ${sum('cost_usd')} vs ${total}`);
    assert.ok(near(sum('lost_cost_usd'), lostTotal), groupBy);
    assert.equal(sum('attempts'), attempts, groupBy);
    assert.equal(sum('lost_attempts'), 1, groupBy);
    assert.equal(sum('images'), 2, groupBy);
    assert.equal(sum('image_output_tokens') + sum('text_output_tokens'), outputTokens, groupBy);
  }
  const byKey = (await adminCall(stack.url, 'GET', '/v1/holdfast/usage?group_by=key')).json.data as Array<Record<string, unknown>>;
  assert.deepEqual(byKey.map((r) => [r.id, r.name]), [[key.id, 'team blue']]);
  const byDeployment = (await adminCall(stack.url, 'GET', '/v1/holdfast/usage?group_by=deployment')).json.data as Array<Record<string, unknown>>;
  assert.deepEqual(byDeployment.map((r) => [r.id, r.lost_attempts]), [['flaky', 1], ['steady', 0]]);
  // Bounds: nothing before the first job, everything from the day it ran.
  const early = await adminCall(stack.url, 'GET', '/v1/holdfast/usage?group_by=model&to=1');
  assert.deepEqual(early.json.data, []);

  // CSV carries the same rows.
  const csv = await adminCall(stack.url, 'GET', '/v1/holdfast/usage?group_by=deployment', undefined);
  const csvRes = await fetch(`${stack.url}/v1/holdfast/usage?group_by=deployment`, { headers: { authorization: `Bearer ${ADMIN_KEY}`, accept: 'text/csv' } });
  assert.match(String(csvRes.headers.get('content-type')), /^text\/csv/);
  const lines = (await csvRes.text()).trim().split('\n');
  assert.equal(lines[0], 'id,name,images,attempts,lost_attempts,text_input_tokens,image_input_tokens,image_output_tokens,text_output_tokens,cost_usd,lost_cost_usd');
  assert.equal(lines.length, 1 + (csv.json.data as unknown[]).length);
  assert.match(lines[1], /^flaky,flaky,1,2,1,/);
  // A client key is not an admin key.
  assert.equal((await adminCall(stack.url, 'GET', '/v1/holdfast/usage', undefined, key.key)).status, 401);

  // 4. Prometheus: cost and lost cost by model and deployment, never by key.
  const metrics = await (await fetch(`${stack.url}/metrics`)).text();
  const series = (name: string) => [...metrics.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm'))].map((m) => ({ labels: m[1], value: Number(m[2]) }));
  const cost = series('holdfast_cost_usd_total');
  assert.ok(near(cost.reduce((s, c) => s + c.value, 0), total), JSON.stringify(cost));
  assert.deepEqual(series('holdfast_lost_cost_usd_total').map((c) => [c.labels, c.value]), [['model="flaky",deployment="flaky"', lost.cost_usd]]);
  assert.ok(!metrics.includes(key.key) && !metrics.includes(key.id), 'no key in the metrics');
});
