// Upstream keep-alive fallback: when the way holdfast chose to call an upstream is cut off by the
// path, the next attempt uses the other way (issue 3, "Upstream keep-alive").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack } from '../helpers/stack.js';
import { readSse, getJson } from '../helpers/sse.js';

// A front that cuts silent streams after 90 s and, unlike Azure's default, non-streaming calls after 100 s.
const scenario = `
name: fallback
deployments:
  - { name: strict, form: azure, model: gpt-image-2, region: swedencentral, idle_timeout_ms: 90000, response_timeout_ms: 100000 }
`;

// holdfast knows the 90 s idle limit but believes the usual 300 s response timeout.
const config = `
listen: { host: 127.0.0.1, port: 0 }
store: { kind: memory }
blobs: { path: "{{DATA}}/images" }
retry: { max_attempts: 3, base_delay_ms: 1000, max_delay_ms: 5000 }
models:
  gpt-image-2: { deployments: [strict] }
deployments:
  strict: { provider: azure, base_url: "{{SIM}}", deployment: strict, api_key: env:KEY, model: gpt-image-2, idle_timeout_ms: 90000 }
`;

test('a non-streaming call cut off by the front is followed by a stream kept alive by partials the client never sees', async (t) => {
  const stack = await startStack(t, { scenarioYaml: scenario, config, env: { KEY: 'k' } });
  const result = await readSse(`${stack.url}/openai/deployments/gpt-image-2/images/generations?api-version=2025-04-01-preview`, {
    headers: { 'api-key': 'k' },
    body: { prompt: 'a lighthouse', size: '2048x2048', quality: 'high', stream: true, partial_images: 0, output_format: 'jpeg' },
  });
  assert.deepEqual(result.frames.map((f) => f.event), ['image_generation.completed']);
  const job = await getJson(`${stack.url}/v1/images/jobs/${String(result.headers['holdfast-job-id'])}`);
  const attempts = job.json.attempts as Array<{ mode: string; outcome: string }>;
  assert.deepEqual(attempts.map((a) => [a.mode, a.outcome]), [['non_stream', 'idle_timeout'], ['stream', 'succeeded']]);
  const outcomes = stack.sim.stats().deployments.strict.attempts_by_outcome;
  assert.equal(outcomes.timeout_408, 1);
  assert.equal(outcomes.completed, 1);
});
