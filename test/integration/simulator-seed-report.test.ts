// The seed report, replayed: Azure gpt-image-2 behind a 60 s idle front.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { azureUrl, decode, postJson, readSse, startSim } from './simulator-harness.js';
import { ManualClock } from '../../src/time/manual-clock.js';

/**
 * Advances the clock stepMs at a time until `pending` settles (at most maxMs), pausing 20 ms of
 * real time per step so the simulator's rendering (real CPU work) keeps up with simulated time.
 */
async function advanceUntil<T>(clock: ManualClock, pending: Promise<T>, stepMs: number, maxMs: number): Promise<T> {
  let settled = false;
  const watched = pending.finally(() => { settled = true; });
  for (let advanced = 0; !settled && advanced < maxMs; advanced += stepMs) {
    await clock.advanceBy(stepMs);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return watched;
}

const KEY = { 'api-key': 'any-key' };

test('the seed curl (2048x2048 high, stream, partial_images 0) gets the 408 Timeout at the scaled 60 s, not 245 s', async (t) => {
  // On a ManualClock: the answer depends on simulated time only, however loaded the machine is.
  const clock = new ManualClock();
  const { url, sim } = await startSim(t, { clock });
  const started = clock.now();
  const pending = postJson(azureUrl(url, 'gpt-image-2-1'), {
    prompt: 'a lighthouse at dusk', size: '2048x2048', quality: 'high', stream: true, partial_images: 0,
  }, KEY);
  const res = await advanceUntil(clock, pending, 1000, 300_000);
  const body: unknown = await res.json();
  const elapsed = clock.now() - started;
  assert.equal(res.status, 408);
  assert.deepEqual(body, { error: { code: 'Timeout', message: 'The operation was timeout.' } });
  // 60 s, not 245 s (a few 1 s steps of slack for the answer to cross the socket).
  assert.ok(elapsed >= 60_000 && elapsed <= 70_000, `answered after ${elapsed} simulated ms`);
  assert.equal(res.headers.get('x-ms-region'), 'Sweden Central');
  assert.match(res.headers.get('apim-request-id') ?? '', /^[0-9a-f-]{36}$/);
  assert.equal(sim.stats().deployments['gpt-image-2-1'].attempts_by_outcome.timeout_408, 1);
});

test('with partial_images 2 at 2048x2048 the stream fails mid-way, and /_sim/stats says how', async (t) => {
  const clock = new ManualClock();
  const { url } = await startSim(t, { clock, seed: 1 });
  const started = clock.now();
  // Partial 0 is due at ~49 s: go to 60 s, then let it render (no simulated time passes while it
  // does). Headers go out with it; from its write the front counts 60 s of silence.
  const pending = postJson(azureUrl(url, 'gpt-image-2-1'), {
    prompt: 'a lighthouse at dusk', size: '2048x2048', quality: 'high', stream: true, partial_images: 2,
  }, KEY);
  await clock.advanceBy(60_000, { stepMs: 1000 });
  const res = await pending;
  const firstFrameAt = clock.now();
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/event-stream');
  const { frames, error } = await advanceUntil(clock, readSse(res), 1000, 300_000);
  const silence = clock.now() - firstFrameAt;
  const stats = await (await fetch(`${url}/_sim/stats`)).json() as {
    deployments: Record<string, { attempts_by_outcome: Record<string, number> }>;
  };
  const outcomes = stats.deployments['gpt-image-2-1'].attempts_by_outcome;
  assert.equal(frames[0]?.event, 'image_generation.partial_image');
  assert.equal(frames[0]?.data.partial_image_index, 0);
  // Seed 1 draws no fault for this first request (the seed's error frame itself is pinned in
  // simulator-faults.test.ts): the 147 s gap before partial 1 exceeds the 60 s idle limit, so the
  // front cuts after partial 0.
  assert.ok(error !== undefined, `the connection was cut (frames: ${frames.map((f) => f.event).join(',')}; first at ${firstFrameAt - started}, then ${silence})`);
  assert.equal(frames.length, 1);
  // Partial 0 at ~49 s (later if rendering it on a busy box took steps), then the front's 60 s.
  assert.equal(firstFrameAt - started, 60_000);
  assert.ok(silence >= 60_000 && silence <= 70_000, `cut ${silence} simulated ms after partial 0`);
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
  const clock = new ManualClock();
  const { url } = await startSim(t, { clock });
  const started = clock.now();
  const pending = postJson(azureUrl(url, 'gpt-image-2-1'), { prompt: 'a lighthouse at dusk', size: '1024x1024', quality: 'low' }, KEY);
  const res = await advanceUntil(clock, pending, 1000, 120_000);
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
