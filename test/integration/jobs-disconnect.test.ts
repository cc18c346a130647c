// A client that hangs up on a JSON (non-streaming) request does not cancel its job: the generation
// finishes upstream and waits for the client, who finds it again with its Idempotency-Key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { readSse, postJson, getJson } from '../helpers/sse.js';
import { eventually, jobsConfig, jobsEnv, jobsScenario, spawnHoldfast, startFixture } from '../helpers/process.js';
import { HeldClock } from '../helpers/held-clock.js';
import { ScaledClock } from '../../src/time/scaled-clock.js';

const auth = { authorization: `Bearer ${jobsEnv.CLIENT_KEY}` };

test('hanging up on a JSON request leaves the job running; it completes and is retrievable', async (t) => {
  // 1024x1024 high at latency 2: ~1.5 s of real time upstream, counted from the hang-up: the
  // simulator's clock is held until then, so the call cannot end before the client leaves.
  const simClock = new HeldClock(new ScaledClock(0.01));
  const fixture = await startFixture(t, { scenarioYaml: jobsScenario(2), clock: simClock });
  const holdfast = await spawnHoldfast(t, fixture.writeConfig(jobsConfig()), jobsEnv);
  const body = { model: 'gpt-image-1', prompt: 'a long walk', size: '1024x1024', quality: 'high' };
  const headers = { ...auth, 'content-type': 'application/json', 'idempotency-key': 'walk-away' };
  const deployment = (): { in_flight: number; attempts_by_outcome: Record<string, number> } => fixture.sim.stats().deployments['gpt-image-1'];

  const hangUp = new AbortController();
  const pending = request(`${holdfast.url}/v1/images/generations`, { method: 'POST', headers, body: JSON.stringify(body), signal: hangUp.signal });
  await eventually(() => (deployment().in_flight === 1 ? true : undefined), 'the upstream call');
  hangUp.abort();
  await assert.rejects(pending);
  simClock.release();

  const found = await postJson(`${holdfast.url}/v1/images/generations`, body, { ...headers, prefer: 'respond-async' });
  assert.equal(found.status, 202);
  assert.ok(found.json.status === 'running' || found.json.status === 'succeeded', String(found.json.status));
  const jobId = String(found.json.id);
  const events = await readSse(`${holdfast.url}/v1/images/jobs/${jobId}/events`, { method: 'GET', headers: auth });
  assert.equal(events.frames.at(-1)?.event, 'job.completed');
  const job = await getJson(`${holdfast.url}/v1/images/jobs/${jobId}`, auth);
  assert.equal(job.json.status, 'succeeded');
  assert.ok(((job.json.result as { data: Array<{ b64_json: string }> }).data[0].b64_json).length > 1000);
  assert.deepEqual([deployment().attempts_by_outcome.completed, deployment().attempts_by_outcome.client_aborted], [1, 0]);
  assert.equal(fixture.sim.stats().requests_total, 1);
});
