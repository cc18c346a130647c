// Connection failures at the upstream (design.md retry table, first row): a deployment that refuses
// the connection, and one that resets it mid-stream, each fall back to a second deployment; the
// official openai SDK sees one completed event and nothing of the failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import OpenAI from 'openai';
import { startStack } from '../helpers/stack.js';
import { getJson } from '../helpers/sse.js';

// 0.05: a ~22 s generation is ~1.1 s of real time, and holdfast's watchdog (2x expected + 60 s)
// is ~5 s real: rendering a partial on a loaded machine stays well inside it.
const SCALE = 0.05;

/** A 127.0.0.1 port nobody listens on (bound, then closed). */
async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const scenario = `
# No idle front: on a loaded machine rendering a partial can take longer than a scaled 60 s.
name: two-regions
deployments:
  - { name: first, form: azure, model: gpt-image-2, region: eastus, idle_timeout_ms: null }
  - { name: second, form: azure, model: gpt-image-2, region: westus, idle_timeout_ms: null }
`;

// `first` is weighted so heavily that a cold router (seeded) tries it before `second`.
function config(firstUrl: string): string {
  return `
listen: { host: 127.0.0.1, port: 0 }
store: { kind: memory }
blobs: { path: "{{DATA}}/images" }
retry: { max_attempts: 3, base_delay_ms: 100, max_delay_ms: 500 }
models:
  gpt-image-2: { deployments: [first, second] }
deployments:
  first: { provider: azure, base_url: "${firstUrl}", deployment: first, api_version: 2025-04-01-preview, api_key: env:KEY, model: gpt-image-2, idle_timeout_ms: null, weight: 1000 }
  second: { provider: azure, base_url: "{{SIM}}", deployment: second, api_version: 2025-04-01-preview, api_key: env:KEY, model: gpt-image-2, idle_timeout_ms: null, weight: 0.001 }
`;
}

/** Streams one generation through the SDK; returns the event types and the job's attempts. */
async function streamThroughSdk(url: string): Promise<{ types: string[]; attempts: string[][]; error?: unknown }> {
  const client = new OpenAI({ apiKey: 'unused', baseURL: `${url}/v1`, maxRetries: 0, timeout: 60_000 });
  const { data: stream, response } = await client.images.generate({
    model: 'gpt-image-2', prompt: 'a lighthouse', size: '1024x1024', quality: 'low', stream: true, partial_images: 1,
  }).withResponse();
  const types: string[] = [];
  let error: unknown;
  try {
    for await (const event of stream) types.push(event.type);
  } catch (e) {
    error = e;
  }
  const job = await getJson(`${url}/v1/images/jobs/${String(response.headers.get('holdfast-job-id'))}`);
  const attempts = (job.json.attempts as Array<{ deployment: string; mode: string; outcome: string }>).map((a) => [a.deployment, a.mode, a.outcome]);
  return { types, attempts, error };
}

test('a refused deployment falls back to the second one; the SDK sees one completed event', async (t) => {
  const port = await refusedPort();
  const stack = await startStack(t, { scenarioYaml: scenario, config: config(`http://127.0.0.1:${port}`), env: { KEY: 'k' }, timeScale: SCALE });
  const { types, attempts, error } = await streamThroughSdk(stack.url);
  assert.equal(error, undefined, `attempts: ${JSON.stringify(attempts)}`);
  assert.deepEqual(types, ['image_generation.partial_image', 'image_generation.completed']);
  assert.deepEqual(attempts.map(([d, , o]) => [d, o]), [['first', 'connect'], ['second', 'succeeded']]);
  assert.equal(stack.sim.stats().deployments.second.attempts_by_outcome.completed, 1);
});

test('a connection reset mid-stream (after a partial) falls back to the second deployment; the SDK sees one completed event', async (t) => {
  const stack = await startStack(t, { scenarioYaml: scenario, config: config('{{SIM}}'), env: { KEY: 'k' }, timeScale: SCALE });
  const res = await fetch(`${stack.sim.url}/_sim/deployments/first/faults`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ all: { reset: 1 } }),
  });
  assert.equal(res.status, 200);
  const { types, attempts, error } = await streamThroughSdk(stack.url);
  assert.equal(error, undefined, `attempts: ${JSON.stringify(attempts)}`);
  assert.equal(types.filter((e) => e === 'image_generation.completed').length, 1, types.join(','));
  assert.equal(types.at(-1), 'image_generation.completed');
  assert.deepEqual(attempts.map(([d, , o]) => [d, o]), [['first', 'stream_error'], ['second', 'succeeded']]);
  const stats = stack.sim.stats().deployments;
  assert.equal(stats.first.attempts_by_outcome.reset, 1);
  assert.equal(stats.second.attempts_by_outcome.completed, 1);
});
