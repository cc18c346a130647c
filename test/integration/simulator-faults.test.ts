// Injected faults and the front's limits, driven through the runtime override routing tests use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenarioYaml } from '../../src/simulator/index.js';
import { ManualClock } from '../../src/time/manual-clock.js';
import { azureUrl, postJson, readSse, startSim } from './simulator-harness.js';

const KEY = { 'api-key': 'k' };
const SMALL = { prompt: 'a kite', size: '1024x1024', quality: 'low' };

async function setFaults(url: string, deployment: string, profile: unknown): Promise<Response> {
  return postJson(`${url}/_sim/deployments/${deployment}/faults`, profile, {});
}

test('a deployment made to fail every call answers 503, then recovers when the override is removed', async (t) => {
  const { url, sim } = await startSim(t, { scale: 0.002 });
  assert.equal((await setFaults(url, 'gpt-image-2-1', { all: { http_503: 1 } })).status, 200);
  for (let i = 0; i < 2; i++) {
    const res = await postJson(azureUrl(url, 'gpt-image-2-1'), SMALL, KEY);
    assert.equal(res.status, 503);
    assert.equal((await res.json() as { error: { type: string } }).error.type, 'server_error');
  }
  await fetch(`${url}/_sim/deployments/gpt-image-2-1/faults`, { method: 'DELETE' });
  assert.equal((await postJson(azureUrl(url, 'gpt-image-2-1'), SMALL, KEY)).status, 200);
  const stats = sim.stats();
  assert.equal(stats.deployments['gpt-image-2-1'].attempts_by_outcome.http_503, 2);
  assert.equal(stats.deployments['gpt-image-2-1'].attempts_by_outcome.completed, 1);
  assert.equal(stats.faults_injected, 2);
});

test('an invalid fault override is refused with every error path', async (t) => {
  const { url } = await startSim(t, { scale: 0.002 });
  const res = await setFaults(url, 'gpt-image-2-1', { large: { stream_error: 2, bogus: 1 }, huge: {} });
  assert.equal(res.status, 400);
  const body = await res.json() as { errors: string[] };
  assert.deepEqual(body.errors.sort(), [
    'faults.huge: unknown key (allowed: small, medium, large, all)',
    'faults.large.bogus: unknown key (allowed: stream_error, reset, http_500, http_503, edit_error, after_partial)',
    'faults.large.stream_error: must be a probability between 0 and 1',
  ]);
  assert.equal((await setFaults(url, 'nope', {})).status, 404);
});

test('a reset fault tears the stream down after the first partial', async (t) => {
  const { url, sim } = await startSim(t, { scale: 0.002 });
  await setFaults(url, 'gpt-image-2', { small: { reset: 1 } });
  const res = await postJson(`${url}/v1/images/generations`, { model: 'gpt-image-2', ...SMALL, stream: true, partial_images: 2 }, { authorization: 'Bearer k' });
  const { frames, error } = await readSse(res);
  assert.ok(error !== undefined);
  assert.deepEqual(frames.map((f) => f.event), ['image_generation.partial_image']);
  assert.equal(sim.stats().deployments['gpt-image-2'].attempts_by_outcome.reset, 1);
});

test('a stream error on a non-streaming request answers 500 server_error at that time', async (t) => {
  const { url } = await startSim(t, { scale: 0.002 });
  await setFaults(url, 'gpt-image-2-1', { all: { stream_error: 1 } });
  const res = await postJson(azureUrl(url, 'gpt-image-2-1'), SMALL, KEY);
  assert.equal(res.status, 500);
  assert.deepEqual(await res.json(), { error: { type: 'server_error', code: null, message: 'An error occurred while processing your request.', param: null } });
});

// The two frames of wire-format §4.4, byte for byte.
const SEED_ERROR_FRAME = 'event: error\ndata: {"type":"error","error":{"type":"server_error","code":null,"message":"An error occurred while processing your request.","param":null},"sequence_number":2}\n\n';
const SEED_EDIT_ERROR_FRAME = 'data: {"type":"error","error":{"type":"image_generation_server_error","code":"image_generation_failed","message":"Image generation failed","param":null},"sequence_number":0}\n\n';

test('an edit error is the seed edits frame (§4.4), byte for byte, before any partial', async (t) => {
  const { url, sim } = await startSim(t, { scale: 0.002 });
  await setFaults(url, 'gpt-image-2', { all: { edit_error: 1 } });
  const form = new FormData();
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a0f1e1f80000000049454e44ae426082', 'hex');
  form.append('image', new Blob([png], { type: 'image/png' }), 'a.png');
  form.append('prompt', 'add a hat');
  form.append('model', 'gpt-image-2');
  form.append('stream', 'true');
  form.append('partial_images', '2');
  form.append('quality', 'low');
  const res = await fetch(`${url}/v1/images/edits`, { method: 'POST', headers: { authorization: 'Bearer k' }, body: form });
  assert.equal(res.status, 200);
  assert.equal(await res.text(), SEED_EDIT_ERROR_FRAME);
  assert.equal(sim.stats().deployments['gpt-image-2'].attempts_by_outcome.edit_error, 1);
});

test('a stream error after one partial is the seed error frame (§4.4), byte for byte', async (t) => {
  const { url } = await startSim(t, { scale: 0.002 });
  await setFaults(url, 'gpt-image-2', { small: { stream_error: 1, after_partial: 0 } });
  const res = await postJson(`${url}/v1/images/generations`, { model: 'gpt-image-2', ...SMALL, stream: true, partial_images: 2 }, { authorization: 'Bearer k' });
  const text = await res.text();
  const frames = text.split(/(?<=\n\n)/);
  assert.equal(frames.length, 2, text.slice(0, 300));
  assert.match(frames[0], /^event: image_generation\.partial_image\ndata: \{"type":"image_generation\.partial_image",[^\n]*\}\n\n$/);
  assert.equal(frames[1], SEED_ERROR_FRAME);
});

test('a non-streaming answer slower than response_timeout_ms gets the 408 from the front', async (t) => {
  const scenario = parseScenarioYaml(`
name: slow
deployments:
  - { name: slow, form: azure, model: gpt-image-2, region: eastus, latency_factor: 10, response_timeout_ms: 30000 }
`, 'slow');
  // On a ManualClock: the answer must not come before 30 simulated seconds, and must come right after.
  const clock = new ManualClock();
  const { url, sim } = await startSim(t, { clock, scenario });
  let answered = false;
  const pending = postJson(azureUrl(url, 'slow'), SMALL, KEY).then((res) => { answered = true; return res; });
  while (sim.stats().deployments.slow.in_flight < 1) await new Promise((r) => setImmediate(r));
  await clock.advanceBy(29_500, { stepMs: 500 });
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  assert.equal(answered, false, 'no answer before the response timeout');
  await clock.advanceBy(1_000, { stepMs: 100 });
  const res = await pending;
  assert.equal(res.status, 408);
  assert.deepEqual(await res.json(), { error: { code: 'Timeout', message: 'The operation was timeout.' } });
});

test('close() resolves promptly with generations in flight, and /_sim/reset clears the stats', async (t) => {
  const { url, sim } = await startSim(t, { scale: 1 });
  const pending = postJson(azureUrl(url, 'gpt-image-2-1'), SMALL, KEY).catch((error: unknown) => error);
  while (sim.stats().deployments['gpt-image-2-1'].in_flight < 1) await new Promise((r) => setImmediate(r));
  assert.equal((await postJson(`${url}/_sim/reset`, {}, {})).status, 200);
  assert.equal(sim.stats().requests_total, 0);
  assert.equal(sim.stats().deployments['gpt-image-2-1'].in_flight, 1);
  await sim.close();
  assert.ok((await pending) instanceof Error, 'the client sees its connection closed');
  assert.equal(sim.stats().deployments['gpt-image-2-1'].in_flight, 0);
});
