// Cancellation as a user sees it: DELETE stops the upstream call in flight (the simulator sees the
// client go away), streams end with a job_cancelled error frame, and a queued job never goes upstream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { postJson, getJson } from '../helpers/sse.js';
import { eventually, jobsConfig, jobsEnv, jobsScenario, openSse, spawnHoldfast, startFixture } from '../helpers/process.js';
import { HeldClock } from '../helpers/held-clock.js';
import { ScaledClock } from '../../src/time/scaled-clock.js';

const auth = { authorization: `Bearer ${jobsEnv.CLIENT_KEY}` };

async function del(url: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await request(url, { method: 'DELETE', headers: auth });
  return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
}

test('DELETE aborts the upstream call, ends the streams with job_cancelled, and a queued job never runs', async (t) => {
  // 1024x1024 high at latency 2: ~1.5 s of real time upstream, once the simulator's clock is
  // released after the DELETE: the call cannot finish before the cancel on a loaded machine.
  const simClock = new HeldClock(new ScaledClock(0.01));
  const fixture = await startFixture(t, { scenarioYaml: jobsScenario(2), clock: simClock });
  const holdfast = await spawnHoldfast(t, fixture.writeConfig(jobsConfig({ concurrency: 1 })), jobsEnv);
  const body = { model: 'gpt-image-1', prompt: 'a slow glacier', size: '1024x1024', quality: 'high' };

  const stream = await openSse(`${holdfast.url}/v1/images/generations`, { headers: auth, body: { ...body, stream: true } });
  assert.equal(stream.status, 200);
  const jobId = String(stream.headers['holdfast-job-id']);
  const follower = await openSse(`${holdfast.url}/v1/images/jobs/${jobId}/events`, { method: 'GET', headers: auth });
  const deployment = (): { in_flight: number; attempts_by_outcome: Record<string, number> } => fixture.sim.stats().deployments['gpt-image-1'];
  await eventually(() => (deployment().in_flight === 1 ? true : undefined), 'the upstream call');
  const queued = await postJson(`${holdfast.url}/v1/images/generations`, { ...body, prompt: 'waits its turn' }, { ...auth, prefer: 'respond-async' });
  assert.equal(queued.status, 202);

  const cancelled = await del(`${holdfast.url}/v1/images/jobs/${jobId}`);
  assert.equal(cancelled.status, 200);
  assert.equal(cancelled.json.status, 'cancelled');
  simClock.release();
  // The attempt that was in flight says how it ended: an end time and outcome "cancelled", not the
  // null/null of an attempt cut short by a restart.
  const [attempt] = cancelled.json.attempts as Array<{ ended_at: number | null; outcome: string | null; started_at: number }>;
  assert.equal(attempt.outcome, 'cancelled');
  assert.ok(attempt.ended_at !== null && attempt.ended_at >= attempt.started_at, JSON.stringify(attempt));
  const frames = await stream.frames;
  assert.equal(frames.at(-1)?.event, 'error');
  assert.equal((frames.at(-1)?.json.error as Record<string, unknown>).code, 'job_cancelled');
  assert.ok(!frames.some((f) => f.event === 'image_generation.completed'));
  assert.equal((await follower.frames).at(-1)?.event, 'job.cancelled');
  await eventually(() => (deployment().in_flight === 0 ? true : undefined), 'the upstream call to end');
  assert.equal(deployment().attempts_by_outcome.client_aborted, 1);
  assert.equal(deployment().attempts_by_outcome.completed, 0);

  // The queued job is cancelled before it ever reaches the upstream.
  const queuedId = String(queued.json.id);
  assert.equal((await del(`${holdfast.url}/v1/images/jobs/${queuedId}`)).json.status, 'cancelled');
  const again = await del(`${holdfast.url}/v1/images/jobs/${jobId}`);
  assert.deepEqual([again.status, again.json.status], [200, 'cancelled'], 'DELETE is idempotent');
  assert.equal((await getJson(`${holdfast.url}/v1/images/jobs/${queuedId}`, auth)).json.status, 'cancelled');
  const image = await request(`${holdfast.url}/v1/images/jobs/${jobId}/images/0`, { headers: auth });
  assert.equal(image.statusCode, 404);
  await image.body.dump();
  assert.equal(fixture.sim.stats().requests_total, 1);
});
