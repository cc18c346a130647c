// Retries as a user sees them: failures mid-stream and upstream 429s never reach the client,
// refusals cost exactly one upstream call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../helpers/stack.js';
import { readSse, postJson } from '../helpers/sse.js';

function scenario(deployment: string): string {
  return `
name: retries
content_policy: { pattern: "(?i)forbidden" }
deployments:
${deployment}`;
}

function singleDeploymentConfig(extra = ''): string {
  return `
listen: { host: 127.0.0.1, port: 0 }
store: { kind: memory }
blobs: { path: "{{DATA}}/images" }
streaming: { heartbeat_interval_ms: 15000 }
retry: { max_attempts: 6, base_delay_ms: 1000, max_delay_ms: 30000 }
models:
  gpt-image-2: { deployments: [flaky] }
deployments:
  flaky: { provider: azure, base_url: "{{SIM}}", deployment: flaky, api_key: env:KEY, model: gpt-image-2 ${extra} }
`;
}

test('a mid-stream server_error after partials ends in exactly one completed event and no error', async (t) => {
  const stack = await startStack(t, {
    scenarioYaml: scenario(`  - { name: flaky, form: azure, model: gpt-image-2, region: swedencentral, faults: { all: { stream_error: 0.5, after_partial: 0 } } }`),
    // idle_timeout_ms: null: this test is about mid-stream errors, not idle cut-offs, which a busy
    // machine could cause at a fast time scale (and which would switch holdfast to non-streaming).
    config: singleDeploymentConfig(', idle_timeout_ms: null'), env: { KEY: 'k' }, seed: 8, timeScale: 0.02,
  });
  const result = await readSse(`${stack.url}/openai/deployments/gpt-image-2/images/generations?api-version=2025-04-01-preview`, {
    headers: { 'api-key': 'k' },
    body: { prompt: 'a red apple', size: '1024x1024', quality: 'low', stream: true, partial_images: 2 },
  });
  const events = result.frames.map((f) => f.event);
  const failures = stack.sim.stats().deployments.flaky.attempts_by_outcome.stream_error;
  assert.ok(failures >= 1, 'the simulator failed at least one attempt mid-stream');
  assert.equal(events.filter((e) => e === 'image_generation.completed').length, 1, events.join(','));
  assert.equal(events.at(-1), 'image_generation.completed');
  assert.ok(!events.includes('error'), events.join(','));
  // The failed attempts had sent a partial each before failing: the client saw those too.
  const partials = result.frames.filter((f) => f.event === 'image_generation.partial_image');
  assert.ok(partials.length >= failures + 2, `${partials.length} partials, ${failures} failures`);
  assert.deepEqual(partials.map((p) => p.json.partial_image_index), partials.map((_p, i) => i));
});

test('a content-policy refusal costs exactly one upstream call and reaches the client in the upstream shape', async (t) => {
  const stack = await startStack(t, {
    scenarioYaml: scenario(`  - { name: flaky, form: azure, model: gpt-image-2, region: swedencentral }`),
    config: singleDeploymentConfig(), env: { KEY: 'k' },
  });
  const res = await postJson(`${stack.url}/openai/deployments/gpt-image-2/images/generations?api-version=2025-04-01-preview`,
    { prompt: 'something forbidden', size: '1024x1024', quality: 'low' }, { 'api-key': 'k' });
  assert.equal(res.status, 400);
  const error = res.json.error as Record<string, unknown>;
  assert.equal(error.code, 'content_policy_violation');
  assert.equal(res.headers['x-should-retry'], 'false');
  assert.equal(stack.sim.stats().requests_total, 1);
});

test('upstream 429s are waited out, not surfaced', async (t) => {
  const stack = await startStack(t, {
    scenarioYaml: scenario(`  - { name: flaky, form: azure, model: gpt-image-2, region: swedencentral, rate_limit: { requests: 2, window_ms: 60000 } }`),
    // holdfast is not told the limit: it learns it from the 429s and their retry-after.
    config: singleDeploymentConfig(), env: { KEY: 'k' },
  });
  const results = await Promise.all([1, 2, 3, 4].map((i) => postJson(
    `${stack.url}/openai/deployments/gpt-image-2/images/generations?api-version=2025-04-01-preview`,
    { prompt: `apple ${i}`, size: '1024x1024', quality: 'low' }, { 'api-key': 'k' })));
  assert.deepEqual(results.map((r) => r.status), [200, 200, 200, 200]);
  for (const r of results) assert.ok(Array.isArray(r.json.data) && (r.json.data as unknown[]).length === 1);
  assert.ok(stack.sim.stats().rate_limited_total >= 1, 'the upstream did answer 429 at least once');
});
