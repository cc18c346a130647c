// The gateway core as a user checks it, against the simulator's seed scenario at a time scale.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { startStack, seedConfig, seedEnv } from '../helpers/stack.js';
import { assertOpenAIWireForm, readSse, postJson } from '../helpers/sse.js';

const azurePath = '/openai/deployments/gpt-image-2/images/generations?api-version=2025-04-01-preview';

test('the seed report request (2048x2048 high, stream, no partials, 60 s idle front) completes with heartbeats', async (t) => {
  // 0.01: a simulated 15 s heartbeat is 150 ms of real time. The exact count per interval is pinned
  // on a ManualClock in src/http/sse-relay.test.ts; here a loaded machine stretches every interval
  // (timers fire late, each heartbeat re-arms after the last), so only a floor that holds is checked.
  const stack = await startStack(t, { config: seedConfig(), env: seedEnv, timeScale: 0.01 });
  const started = stack.clock.now();
  const result = await readSse(`${stack.url}${azurePath}`, {
    headers: { 'api-key': 'anything' },
    body: { prompt: 'a lighthouse at dusk', size: '2048x2048', quality: 'high', stream: true, partial_images: 0, output_format: 'jpeg' },
  });
  const elapsedMs = stack.clock.now() - started;
  assert.equal(result.status, 200);
  assert.match(String(result.headers['holdfast-job-id']), /^job_[0-9a-f]{32}$/);
  const events = result.frames.map((f) => f.event);
  assert.equal(events.filter((e) => e === 'image_generation.completed').length, 1, `events: ${events.join(',')} ${JSON.stringify(result.frames.at(-1)?.json).slice(0, 300)}`);
  assert.ok(!events.includes('error'), `no error frame: ${events.join(',')}`);
  assert.ok(!events.includes('image_generation.partial_image'), 'the client asked for no partials');
  // A 2048x2048 high generation lasts minutes: with a heartbeat every 15 s there are several.
  assert.ok(elapsedMs > 150_000, `simulated elapsed ${elapsedMs}`);
  assert.ok(result.comments >= Math.max(5, Math.floor(elapsedMs / 15_000 / 3)), `${result.comments} heartbeats over ${elapsedMs} ms`);
  // The whole body, byte for byte in form: frames and `: keepalive\n` lines only, no id:/retry:.
  assert.equal(assertOpenAIWireForm(result.raw), result.comments);
  const image = await sharp(Buffer.from(String(result.frames.at(-1)?.json.b64_json), 'base64')).metadata();
  assert.equal(image.width, 2048);
  assert.equal(image.format, 'jpeg');
  // Exactly one billed upstream call: no 408, no retry.
  const stats = stack.sim.stats();
  assert.equal(stats.requests_total, 1);
  assert.equal(stats.deployments['gpt-image-2-1'].attempts_by_outcome.timeout_408, 0);
});

test('invalid sizes never reach the upstream', async (t) => {
  const stack = await startStack(t, { config: seedConfig(), env: seedEnv });
  const res = await postJson(`${stack.url}/v1/images/generations`, { model: 'gpt-image-2', prompt: 'x', size: '1792x936' });
  assert.equal(res.status, 400);
  assert.deepEqual(Object.keys(res.json.error as object).sort(), ['code', 'message', 'param', 'type']);
  assert.equal((res.json.error as Record<string, unknown>).param, 'size');
  assert.match(String((res.json.error as Record<string, unknown>).message), /divisible by 16/);
  assert.equal(stack.sim.stats().requests_total, 0);
});

test('n = 2 gives two images, streamed (one completed event each) and not', async (t) => {
  const stack = await startStack(t, { config: seedConfig(), env: seedEnv });
  const body = { model: 'gpt-image-2-openai', prompt: 'two pears', size: '1024x1024', quality: 'low', n: 2, output_format: 'jpeg' };
  const streamed = await readSse(`${stack.url}/v1/images/generations`, { body: { ...body, stream: true } });
  const completed = streamed.frames.filter((f) => f.event === 'image_generation.completed');
  assert.equal(completed.length, 2);
  const plain = await postJson(`${stack.url}/v1/images/generations`, body);
  const images = [...completed.map((f) => String(f.json.b64_json)), ...(plain.json.data as Array<{ b64_json: string }>).map((d) => d.b64_json)];
  assert.equal(images.length, 4);
  for (const b64 of images) assert.equal((await sharp(Buffer.from(b64, 'base64')).metadata()).format, 'jpeg');
  assert.notEqual(images[0], images[1], 'two different images');
});
