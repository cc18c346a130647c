// What a client gets when holdfast cannot deliver: OpenAI-shaped errors with holdfast's attempt
// count and `x-should-retry: false`, never a misleading 401 for holdfast's own upstream key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../helpers/stack.js';
import { postJson, readSse } from '../helpers/sse.js';

const scenario = `
name: errors
deployments:
  - { name: broken, form: azure, model: gpt-image-2, region: swedencentral, faults: { all: { http_500: 1 } } }
  - { name: locked, form: azure, model: gpt-image-2, region: westeurope, key: the-right-key }
  - { name: good, form: azure, model: gpt-image-2, region: westeurope }
  - { name: custom, form: openai, model: my-own-image-model, region: global }
`;

const config = `
listen: { host: 127.0.0.1, port: 0 }
store: { kind: memory }
blobs: { path: "{{DATA}}/images" }
retry: { max_attempts: 3, base_delay_ms: 1000, max_delay_ms: 2000 }
models:
  broken: { deployments: [broken] }
  locked: { deployments: [locked] }
  locked-then-good: { deployments: [locked, good] }
  custom: { deployments: [custom] }
deployments:
  broken: { provider: azure, base_url: "{{SIM}}", deployment: broken, api_key: env:KEY, model: gpt-image-2 }
  locked: { provider: azure, base_url: "{{SIM}}", deployment: locked, api_key: env:KEY, model: gpt-image-2, weight: 1000 }
  good: { provider: azure, base_url: "{{SIM}}", deployment: good, api_key: env:KEY, model: gpt-image-2, weight: 0.001 }
  custom: { provider: openai, base_url: "{{SIM}}/v1", api_key: env:KEY, model: my-own-image-model }
`;

const body = { prompt: 'an apple', size: '1024x1024', quality: 'low' };

test('when retries run out, a JSON client gets 502 with the attempt count and x-should-retry: false, a stream an error event', async (t) => {
  const stack = await startStack(t, { scenarioYaml: scenario, config, env: { KEY: 'wrong-key' } });
  const json = await postJson(`${stack.url}/v1/images/generations`, { ...body, model: 'broken' });
  assert.equal(json.status, 502);
  assert.equal(json.headers['x-should-retry'], 'false');
  assert.match(String((json.json.error as Record<string, unknown>).message), /gave up after 3 attempts/);
  const stream = await readSse(`${stack.url}/v1/images/generations`, { body: { ...body, model: 'broken', stream: true } });
  assert.equal(stream.status, 200);
  assert.deepEqual(stream.frames.map((f) => f.event), ['error']);
  assert.match(String((stream.frames[0].json.error as Record<string, unknown>).message), /gave up after 3 attempts/);
  assert.equal(stack.sim.stats().deployments.broken.requests, 6);
});

test("holdfast's own upstream key refused: another deployment serves, and without one the client gets 502, not 401", async (t) => {
  const stack = await startStack(t, { scenarioYaml: scenario, config, env: { KEY: 'wrong-key' } });
  const served = await postJson(`${stack.url}/v1/images/generations`, { ...body, model: 'locked-then-good' });
  assert.equal(served.status, 200);
  assert.equal(stack.sim.stats().deployments.locked.attempts_by_outcome.auth, 1, 'the locked deployment was tried first');
  const refused = await postJson(`${stack.url}/v1/images/generations`, { ...body, model: 'locked' });
  assert.equal(refused.status, 502);
  assert.equal((refused.json.error as Record<string, unknown>).code, 'upstream_failed');
  assert.match(String((refused.json.error as Record<string, unknown>).message), /refused holdfast's upstream key \(HTTP 401\)/);
  assert.ok(!JSON.stringify(refused.json).includes('wrong-key'));
});

test('Holdfast-Deadline-Ms bounds the job: 504 deadline_exceeded and the upstream call is dropped', async (t) => {
  const stack = await startStack(t, { scenarioYaml: scenario, config, env: { KEY: 'any' } });
  const res = await postJson(`${stack.url}/v1/images/generations`, { model: 'locked-then-good', prompt: 'x', size: '2048x2048', quality: 'high' }, { 'holdfast-deadline-ms': '30000' });
  assert.equal(res.status, 504);
  assert.equal((res.json.error as Record<string, unknown>).code, 'deadline_exceeded');
  assert.equal(res.headers['x-should-retry'], 'false');
  const aborted = (): number => Object.values(stack.sim.stats().deployments).reduce((n, d) => n + d.attempts_by_outcome.client_aborted, 0);
  for (let turns = 0; aborted() === 0 && turns < 100_000; turns += 1) await new Promise((resolve) => setImmediate(resolve));
  assert.equal(aborted(), 1, 'the upstream saw holdfast hang up');
});

test('a model holdfast has no rules for is passed through unvalidated', async (t) => {
  const stack = await startStack(t, { scenarioYaml: scenario, config, env: { KEY: 'any' } });
  const res = await postJson(`${stack.url}/v1/images/generations`, { model: 'custom', prompt: 'x', size: '1024x1024', style: 'anything-goes' });
  assert.equal(stack.sim.stats().deployments.custom.requests, 1, 'the request reached the upstream');
  assert.equal(res.status, 200, JSON.stringify(res.json).slice(0, 300));
  const data = res.json.data as Array<{ b64_json?: string }>;
  assert.equal(data.length, 1);
  assert.ok((data[0].b64_json ?? '').length > 100, 'an image came back');
});
