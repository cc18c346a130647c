// The seed report, replayed: Azure gpt-image-2 behind a 60 s idle front.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { azureUrl, decode, postJson, readSse, startSim } from './simulator-harness.js';

const KEY = { 'api-key': 'any-key' };

test('the seed curl (2048x2048 high, stream, partial_images 0) gets the 408 Timeout at the scaled 60 s, not 245 s', async (t) => {
  const { url, clock, sim } = await startSim(t, { scale: 0.01 });
  const started = clock.now();
  const res = await postJson(azureUrl(url, 'gpt-image-2-1'), {
    prompt: 'a lighthouse at dusk', size: '2048x2048', quality: 'high', stream: true, partial_images: 0,
  }, KEY);
  const body: unknown = await res.json();
  const elapsed = clock.now() - started;
  assert.equal(res.status, 408);
  assert.deepEqual(body, { error: { code: 'Timeout', message: 'The operation was timeout.' } });
  // Real timers under CPU load may fire a little late; the point is 60 s, not 245 s.
  assert.ok(elapsed >= 59_000 && elapsed < 100_000, `answered after ${elapsed} simulated ms`);
  assert.equal(res.headers.get('x-ms-region'), 'Sweden Central');
  assert.match(res.headers.get('apim-request-id') ?? '', /^[0-9a-f-]{36}$/);
  assert.equal(sim.stats().deployments['gpt-image-2-1'].attempts_by_outcome.timeout_408, 1);
});

test('with partial_images 2 at 2048x2048 the stream fails mid-way, and /_sim/stats says how', async (t) => {
  const { url, clock } = await startSim(t, { scale: 0.01, seed: 1 });
  const started = clock.now();
  const res = await postJson(azureUrl(url, 'gpt-image-2-1'), {
    prompt: 'a lighthouse at dusk', size: '2048x2048', quality: 'high', stream: true, partial_images: 2,
  }, KEY);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/event-stream');
  const { frames, error } = await readSse(res);
  const elapsed = clock.now() - started;
  const stats = await (await fetch(`${url}/_sim/stats`)).json() as {
    deployments: Record<string, { attempts_by_outcome: Record<string, number> }>;
  };
  const outcomes = stats.deployments['gpt-image-2-1'].attempts_by_outcome;
  assert.equal(frames[0]?.event, 'image_generation.partial_image');
  assert.equal(frames[0]?.data.partial_image_index, 0);
  const last = frames[frames.length - 1];
  if (last?.event === 'error') {
    // The injected fault: the seed's server_error frame, numbered after the partial (wire-format §4.4).
    assert.deepEqual(last.data, {
      type: 'error',
      error: { type: 'server_error', code: null, message: 'An error occurred while processing your request.', param: null },
      sequence_number: frames.length,
    });
    assert.equal(outcomes.stream_error, 1);
  } else {
    // No fault drawn: the 147 s gap before partial 1 exceeds the 60 s idle limit, so the front cuts.
    assert.ok(error !== undefined, 'the connection was cut');
    assert.equal(frames.length, 1);
    // Partial 0 at ~49 s, then the front's 60 s (later only if the box is too busy to render on time).
    assert.ok(elapsed >= 100_000 && elapsed < 245_000, `cut after ${elapsed} simulated ms`);
    assert.equal(outcomes.cut, 1);
  }
  assert.equal(outcomes.completed, 0);
  // Seed 1 draws no fault for this first request: the idle front cuts it after partial 0.
  assert.equal(outcomes.cut, 1);
});

test('the same seed and the same requests give the same ids and the same image bytes', async (t) => {
  const seen: string[] = [];
  for (let run = 0; run < 2; run++) {
    const { url } = await startSim(t, { scale: 0.002, seed: 7 });
    const res = await postJson(azureUrl(url, 'gpt-image-2-westeurope'), { prompt: 'a red bicycle', size: '1024x1024', quality: 'low' }, KEY);
    const body = await res.json() as { data: Array<{ b64_json: string }> };
    seen.push(`${res.headers.get('x-request-id')} ${res.headers.get('apim-request-id')} ${body.data[0].b64_json}`);
  }
  assert.equal(seen[0], seen[1]);
});

test('the 1024x1024 low baseline completes in about 22 simulated seconds', async (t) => {
  const { url, clock } = await startSim(t, { scale: 0.005 });
  const started = clock.now();
  const res = await postJson(azureUrl(url, 'gpt-image-2-1'), { prompt: 'a lighthouse at dusk', size: '1024x1024', quality: 'low' }, KEY);
  const body = await res.json() as { created: number; data: Array<{ b64_json: string }>; quality: string; size: string; usage: { output_tokens: number } };
  const elapsed = clock.now() - started;
  assert.equal(res.status, 200);
  assert.ok(elapsed >= 19_000 && elapsed < 40_000, `completed after ${elapsed} simulated ms`);
  assert.equal(body.quality, 'low');
  assert.equal(body.size, '1024x1024');
  assert.ok(body.usage.output_tokens > 0);
  assert.deepEqual(await decode(body.data[0].b64_json), { width: 1024, height: 1024, format: 'png' });
});

test('a streamed 1024x1024 low generation sends its partials then the completed event with +100 tokens each', async (t) => {
  const { url } = await startSim(t, { scale: 0.005 });
  const res = await postJson(azureUrl(url, 'gpt-image-2-1'), {
    prompt: 'a lighthouse at dusk', size: '1024x1024', quality: 'low', stream: true, partial_images: 3, output_format: 'jpeg',
  }, KEY);
  const { frames, error } = await readSse(res);
  assert.equal(error, undefined);
  assert.deepEqual(frames.map((f) => f.event), [
    'image_generation.partial_image', 'image_generation.partial_image', 'image_generation.partial_image', 'image_generation.completed',
  ]);
  assert.deepEqual(frames.slice(0, 3).map((f) => f.data.partial_image_index), [0, 1, 2]);
  const done = frames[3].data as { usage: { output_tokens: number }; b64_json: string; size: string; output_format: string };
  assert.equal(done.usage.output_tokens, 272 + 300);
  assert.equal(done.output_format, 'jpeg');
  assert.deepEqual(await decode(done.b64_json), { width: 1024, height: 1024, format: 'jpeg' });
  assert.notEqual(frames[0].data.b64_json, done.b64_json, 'partials are blurred versions');
});
