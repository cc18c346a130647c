// Resuming as a user does it: an OpenAI-format stream cut after its first frame is finished with
// `?after=N` (no second generation), and the job's own event stream honours Last-Event-ID.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSse, type SseFrame, assertOpenAIWireForm } from '../helpers/sse.js';
import { jobsConfig, jobsEnv, jobsScenario, spawnHoldfast, startFixture } from '../helpers/process.js';

const auth = { authorization: `Bearer ${jobsEnv.CLIENT_KEY}` };

function summary(frames: SseFrame[]): string[] {
  return frames.map((f) => `${f.event}#${String(f.json.partial_image_index ?? '')}`);
}

test('a stream dropped after its first partial is resumed with ?after=N: every frame once, one generation', async (t) => {
  // 1024x1024 low at latency 4: ~0.9 s real, partials at ~0.18 s and ~0.7 s.
  const fixture = await startFixture(t, { scenarioYaml: jobsScenario(4) });
  const holdfast = await spawnHoldfast(t, fixture.writeConfig(jobsConfig()), jobsEnv);
  const body = { model: 'gpt-image-1', prompt: 'a red kite', size: '1024x1024', quality: 'low', stream: true, partial_images: 2 };

  const cut = await readSse(`${holdfast.url}/v1/images/generations`, { headers: auth, body, stopAfterFrames: 1 });
  assert.equal(cut.status, 200);
  const jobId = String(cut.headers['holdfast-job-id']);
  const received = cut.frames.length;
  assert.ok(received >= 1);
  assert.equal(cut.frames[0].event, 'image_generation.partial_image');

  // While the job still runs: the rest of the OpenAI stream, and the job's events after id 1.
  const [rest, live] = await Promise.all([
    readSse(`${holdfast.url}/v1/images/jobs/${jobId}/events?after=${received}`, { method: 'GET', headers: auth }),
    readSse(`${holdfast.url}/v1/images/jobs/${jobId}/events`, { method: 'GET', headers: { ...auth, 'last-event-id': '1' } }),
  ]);
  assert.equal(rest.status, 200);
  assertOpenAIWireForm(rest.raw);
  const all = [...cut.frames, ...rest.frames];
  assert.deepEqual(summary(all), [
    'image_generation.partial_image#0', 'image_generation.partial_image#1', 'image_generation.completed#',
  ]);
  assert.ok(String(all[2].json.b64_json).length > 1000);
  assert.equal(fixture.sim.stats().requests_total, 1, 'one upstream generation');

  // The job's event stream from the start: id: lines 1..n, ending after the terminal event.
  const full = await readSse(`${holdfast.url}/v1/images/jobs/${jobId}/events`, { method: 'GET', headers: auth });
  const ids = full.frames.map((f) => Number(f.id));
  assert.deepEqual(ids, ids.map((_, i) => i + 1));
  assert.equal(full.frames.at(-1)?.event, 'job.completed');
  assert.deepEqual(live.frames.map((f) => f.data), full.frames.slice(1).map((f) => f.data), 'Last-Event-ID: 1 while running');

  const k = 3;
  const byHeader = await readSse(`${holdfast.url}/v1/images/jobs/${jobId}/events`, { method: 'GET', headers: { ...auth, 'last-event-id': String(k) } });
  const byQuery = await readSse(`${holdfast.url}/v1/images/jobs/${jobId}/events?last_event_id=${k}`, { method: 'GET', headers: auth });
  for (const resumed of [byHeader, byQuery]) {
    assert.deepEqual(resumed.frames.map((f) => f.id), full.frames.slice(k).map((f) => f.id));
    assert.deepEqual(resumed.frames.map((f) => f.data), full.frames.slice(k).map((f) => f.data));
  }
  const bad = await readSse(`${holdfast.url}/v1/images/jobs/${jobId}/events?last_event_id=x`, { method: 'GET', headers: auth });
  assert.equal(bad.status, 400);
  assert.equal(fixture.sim.stats().requests_total, 1);
});
