// Crash safety as a user sees it: holdfast is SIGKILLed with one job running and one queued, and a
// restarted holdfast finishes both, once each, with event ids that keep increasing and the
// idempotency key still pointing at the same job.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { readSse, postJson, getJson } from '../helpers/sse.js';
import { eventually, jobsConfig, jobsEnv, jobsScenario, spawnHoldfast, startFixture } from '../helpers/process.js';
import { HeldClock } from '../helpers/held-clock.js';
import { ScaledClock } from '../../src/time/scaled-clock.js';

const auth = { authorization: `Bearer ${jobsEnv.CLIENT_KEY}` };
const async = { ...auth, prefer: 'respond-async' };

test('jobs queued and running when holdfast is SIGKILLed complete once each after a restart', async (t) => {
  // 1024x1024 high at latency 2 is ~1.5 s of real time at scale 0.01; low is ~0.45 s. The
  // simulator's clock is held until holdfast is dead: A's first call cannot finish before the
  // kill however slow the machine, and B stays queued behind it.
  const simClock = new HeldClock(new ScaledClock(0.01));
  const fixture = await startFixture(t, { scenarioYaml: jobsScenario(2), clock: simClock });
  const configPath = fixture.writeConfig(jobsConfig({ concurrency: 1 }));
  const first = await spawnHoldfast(t, configPath, jobsEnv);

  const body = { model: 'gpt-image-1', prompt: 'a lighthouse in a storm', size: '1024x1024', quality: 'high' };
  const a = await postJson(`${first.url}/v1/images/generations`, body, { ...async, 'idempotency-key': 'crash-a' });
  assert.equal(a.status, 202);
  const idA = String(a.json.id);
  assert.equal(a.headers.location, `/v1/images/jobs/${idA}`);
  assert.equal(a.json.object, 'image.job');
  const b = await postJson(`${first.url}/v1/images/generations`, { ...body, prompt: 'a quiet harbour', quality: 'low' }, async);
  assert.equal(b.status, 202);
  const idB = String(b.json.id);

  // A is running upstream; B waits for the deployment's single slot.
  const before = await readSse(`${first.url}/v1/images/jobs/${idA}/events`, { method: 'GET', headers: auth, stopAfterFrames: 2 });
  assert.deepEqual(before.frames.slice(0, 2).map((f) => [f.id, f.event]), [['1', 'job.queued'], ['2', 'attempt.started']]);
  await eventually(() => (fixture.sim.stats().deployments['gpt-image-1'].in_flight === 1 ? true : undefined), 'the upstream call');
  assert.equal((await getJson(`${first.url}/v1/images/jobs/${idB}`, auth)).json.status, 'queued');

  const killed = await first.kill('SIGKILL');
  assert.equal(killed.signal, 'SIGKILL');
  simClock.release();
  const second = await spawnHoldfast(t, configPath, jobsEnv);

  // The idempotency key survived: the same request attaches to the same job, no new job.
  const again = await postJson(`${second.url}/v1/images/generations`, body, { ...async, 'idempotency-key': 'crash-a' });
  assert.equal(again.status, 202);
  assert.equal(again.json.id, idA);

  for (const id of [idA, idB]) {
    const log = await readSse(`${second.url}/v1/images/jobs/${id}/events`, { method: 'GET', headers: auth });
    const ids = log.frames.map((f) => Number(f.id));
    assert.deepEqual(ids, ids.map((_, i) => i + 1), `event ids of ${id} strictly increasing from 1: ${ids.join(',')}`);
    const types = log.frames.map((f) => f.event);
    assert.equal(types.filter((e) => e === 'job.completed').length, 1, types.join(','));
    assert.equal(types.at(-1), 'job.completed');
    assert.ok(types.filter((e) => e === 'job.queued').length >= 2, `resumed after the restart: ${types.join(',')}`);
    const job = await getJson(`${second.url}/v1/images/jobs/${id}`, auth);
    assert.equal(job.json.status, 'succeeded');
    const result = job.json.result as { data: Array<{ b64_json?: string }> };
    assert.ok((result.data[0].b64_json ?? '').length > 1000);
    const image = await request(`${second.url}/v1/images/jobs/${id}/images/0`, { headers: auth });
    assert.equal(image.statusCode, 200);
    assert.equal(image.headers['content-type'], 'image/png');
    assert.ok((await image.body.arrayBuffer()).byteLength > 1000);
  }
  // The events seen before the crash are still the first ones, unchanged.
  const replay = await readSse(`${second.url}/v1/images/jobs/${idA}/events`, { method: 'GET', headers: auth, stopAfterFrames: 2 });
  assert.deepEqual(replay.frames.slice(0, 2).map((f) => f.data), before.frames.slice(0, 2).map((f) => f.data));
  const jobA = (await getJson(`${second.url}/v1/images/jobs/${idA}`, auth)).json;
  const attempts = jobA.attempts as Array<{ outcome: string | null }>;
  assert.equal(attempts.length, 2, 'a new attempt after the restart');
  assert.equal(attempts.at(-1)?.outcome, 'succeeded');

  // Upstream: A's first call died with the process, then one call each; nothing completed twice.
  const stats = fixture.sim.stats().deployments['gpt-image-1'];
  assert.equal(stats.attempts_by_outcome.completed, 2);
  assert.equal(stats.requests, 3);

  // After completion the key still answers with the same job's result, without a new call.
  const late = await postJson(`${second.url}/v1/images/generations`, body, { ...auth, 'idempotency-key': 'crash-a' });
  assert.equal(late.status, 200);
  assert.equal(late.headers['holdfast-job-id'], idA);
  assert.equal((late.json.data as Array<{ b64_json: string }>)[0].b64_json, (jobA.result as { data: Array<{ b64_json: string }> }).data[0].b64_json);
  assert.equal(fixture.sim.stats().requests_total, 3);
});
