// GET /metrics after real traffic on the seed scenario: every family issue 5 lists, with the labels
// an operator filters by, and no upstream key anywhere. Also the health table's row shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startStack } from '../helpers/stack.js';
import { getJson, postJson, readSse } from '../helpers/sse.js';

const config = `
listen: { host: 127.0.0.1, port: 0 }
store: { kind: memory }
blobs: { path: "{{DATA}}/images" }
streaming: { heartbeat_interval_ms: 5000 }
models:
  gpt-image-2: { deployments: [sweden, westeurope], queue: { max_depth: 100, max_wait_ms: 600000 } }
deployments:
  sweden: { provider: azure, base_url: "{{SIM}}", deployment: gpt-image-2-1, api_key: env:AZURE_SWEDEN_KEY, model: gpt-image-2, rpm: 2 }
  westeurope: { provider: azure, base_url: "{{SIM}}", deployment: gpt-image-2-westeurope, api_key: env:AZURE_WE_KEY, model: gpt-image-2, rpm: 2 }
`;
const env = { AZURE_SWEDEN_KEY: 'sk-sweden-secret', AZURE_WE_KEY: 'sk-we-secret' };
const SMALL = { model: 'gpt-image-2', prompt: 'a green pear', size: '1024x1024', quality: 'low', output_format: 'jpeg', output_compression: 5 };

/** The samples of one family: labels as a record, and the value. */
function samples(text: string, name: string): { labels: Record<string, string>; value: number }[] {
  return text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `)).map((line) => {
    const m = /^[^{ ]+(?:\{(.*)\})? (\S+)$/.exec(line);
    const labels = Object.fromEntries([...(m?.[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    return { labels, value: Number(m?.[2]) };
  });
}

test('GET /metrics after traffic has every routing family with model, deployment, size class, quality and code labels, and no keys', async (t) => {
  const stack = await startStack(t, { config, env, timeScale: 0.01, seed: 2 });
  // A stream that stays silent for 22 s (heartbeats), a content-policy refusal (an error code), and
  // more requests than 2 rpm x 2 regions allow at once (queue wait, budget at 0).
  const stream = readSse(`${stack.url}/v1/images/generations`, { body: { ...SMALL, stream: true } });
  const refused = postJson(`${stack.url}/v1/images/generations`, { ...SMALL, prompt: 'something forbidden' });
  const plain = Promise.all([1, 2, 3].map(() => postJson(`${stack.url}/v1/images/generations`, SMALL)));
  const medium = postJson(`${stack.url}/v1/images/generations`, { ...SMALL, size: '1536x1024', quality: 'medium' });
  assert.equal((await stream).frames.at(-1)?.event, 'image_generation.completed');
  assert.equal((await refused).status, 400);
  assert.deepEqual((await plain).map((r) => r.status), [200, 200, 200]);
  assert.equal((await medium).status, 200);

  const res = await request(`${stack.url}/metrics`);
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  const text = await res.body.text();

  const requests = samples(text, 'holdfast_requests_total');
  const served = requests.filter((s) => s.labels.outcome === 'succeeded');
  assert.equal(served.reduce((n, s) => n + s.value, 0), 5);
  assert.ok(served.every((s) => s.labels.model === 'gpt-image-2' && ['sweden', 'westeurope'].includes(s.labels.deployment)), JSON.stringify(served));
  assert.ok(served.some((s) => s.labels.size_class === 'small' && s.labels.quality === 'low'));
  assert.ok(served.some((s) => s.labels.size_class === 'medium' && s.labels.quality === 'medium'));
  assert.ok(requests.some((s) => s.labels.outcome === 'failed' && s.labels.code === 'content_policy_violation' && s.value === 1), JSON.stringify(requests));

  const attempts = samples(text, 'holdfast_attempts_total');
  assert.ok(attempts.some((s) => s.labels.outcome === 'succeeded' && s.labels.size_class === 'small'));
  assert.ok(attempts.some((s) => s.labels.outcome === 'content_policy'));
  const generation = samples(text, 'holdfast_generation_duration_seconds_count');
  assert.equal(generation.reduce((n, s) => n + s.value, 0), 5);
  // 1024x1024 low takes ~22 s simulated: the histogram is in simulated seconds.
  const genSum = samples(text, 'holdfast_generation_duration_seconds_sum').reduce((n, s) => n + s.value, 0);
  assert.ok(genSum > 5 * 15 && genSum < 5 * 120, `sum ${genSum}`);
  assert.equal(samples(text, 'holdfast_time_to_first_event_seconds_count').reduce((n, s) => n + s.value, 0), 5);

  assert.ok(samples(text, 'holdfast_heartbeats_total')[0].value >= 1, 'the silent stream got keepalives');
  assert.deepEqual(samples(text, 'holdfast_queue_depth'), [{ labels: { model: 'gpt-image-2' }, value: 0 }]);
  const waits = samples(text, 'holdfast_queue_wait_seconds_count');
  assert.ok(waits.reduce((n, s) => n + s.value, 0) >= 6, 'every attempt booked through the router');
  const waited = samples(text, 'holdfast_queue_wait_seconds_sum')[0].value;
  assert.ok(waited > 10, `the fifth request waited for budget (${waited} s in total)`);
  const remaining = samples(text, 'holdfast_rate_limit_remaining');
  assert.deepEqual(remaining.map((s) => s.labels.deployment).sort(), ['sweden', 'westeurope']);
  assert.ok(remaining.every((s) => s.value >= 0 && s.value <= 2));
  const circuits = samples(text, 'holdfast_circuit_state');
  assert.equal(circuits.length, 6, 'one per deployment and size class');
  assert.ok(circuits.every((s) => s.value === 0));
  assert.match(text, /# TYPE holdfast_upstream_429_total counter/);

  for (const secret of Object.values(env)) assert.ok(!text.includes(secret), 'no key in /metrics');
  assert.ok(!text.includes(stack.sim.url), 'no upstream URL in /metrics');
});

test('GET /v1/holdfast/deployments lists each deployment and size class with success rate, p50/p95, errors by kind, circuit and budget', async (t) => {
  const stack = await startStack(t, { config, env, timeScale: 0.01, seed: 2 });
  await Promise.all([1, 2].map(() => postJson(`${stack.url}/v1/images/generations`, SMALL)));
  await postJson(`${stack.url}/v1/images/generations`, { ...SMALL, prompt: 'forbidden fruit' });
  const health = await getJson(`${stack.url}/v1/holdfast/deployments`);
  assert.equal(health.status, 200);
  const rows = health.json.data as Record<string, unknown>[];
  assert.deepEqual(rows.map((r) => `${String(r.deployment)}/${String(r.size_class)}`).sort(),
    ['sweden/large', 'sweden/medium', 'sweden/small', 'westeurope/large', 'westeurope/medium', 'westeurope/small']);
  const small = rows.filter((r) => r.size_class === 'small');
  assert.equal(small.reduce((n, r) => n + Number(r.requests), 0), 3);
  assert.equal(small.reduce((n, r) => n + Number(r.successes), 0), 2);
  for (const row of rows) {
    for (const key of ['success_rate', 'p50_ms', 'p95_ms', 'errors', 'status_408', 'status_429', 'circuit', 'budget']) assert.ok(key in row, key);
    assert.equal(row.circuit, 'closed');
    assert.deepEqual(Object.keys(row.budget as object).sort(), ['limit', 'remaining', 'resets_in_ms', 'window_ms']);
  }
  const servedRow = small.find((r) => Number(r.successes) > 0);
  assert.ok(servedRow && Number(servedRow.p50_ms) > 15_000 && Number(servedRow.p95_ms) >= Number(servedRow.p50_ms), JSON.stringify(servedRow));
  const refusedRow = small.find((r) => (r.errors as Record<string, number>).content_policy === 1);
  assert.ok(refusedRow, JSON.stringify(small));
  assert.ok(!JSON.stringify(health.json).includes('sk-'), 'no key in the health table');
});
