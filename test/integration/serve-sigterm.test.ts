// `holdfast serve` on SIGTERM (grace 0 here): it exits 0 at once, tells a streaming client how to
// resume, and the job it handed off is finished by the next process under the same id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getJson } from '../helpers/sse.js';
import { eventually, jobsConfig, jobsEnv, jobsScenario, openSse, spawnHoldfast, startFixture } from '../helpers/process.js';
import { HeldClock } from '../helpers/held-clock.js';
import { ScaledClock } from '../../src/time/scaled-clock.js';

const auth = { authorization: `Bearer ${jobsEnv.CLIENT_KEY}` };

test('SIGTERM hands in-flight work over to the next start: exit 0, a resumable error frame, the job completes after restart', async (t) => {
  // The simulator's clock is held until the first process has exited: the ~1.5 s call cannot end
  // before the SIGTERM however slow the machine.
  const simClock = new HeldClock(new ScaledClock(0.01));
  const fixture = await startFixture(t, { scenarioYaml: jobsScenario(2), clock: simClock });
  const configPath = fixture.writeConfig(jobsConfig());
  const first = await spawnHoldfast(t, configPath, jobsEnv);
  const stream = await openSse(`${first.url}/v1/images/generations`, {
    headers: auth, body: { model: 'gpt-image-1', prompt: 'a lighthouse in a storm', size: '1024x1024', quality: 'high', stream: true },
  });
  const jobId = String(stream.headers['holdfast-job-id']);
  await eventually(() => (fixture.sim.stats().deployments['gpt-image-1'].in_flight === 1 ? true : undefined), 'the upstream call');

  const exit = await first.kill('SIGTERM');
  assert.equal(exit.code, 0);
  simClock.release();
  const frames = await stream.frames;
  const last = frames.at(-1);
  assert.equal(last?.event, 'error');
  const error = last?.json.error as Record<string, unknown>;
  assert.equal(error.code, 'shutting_down');
  assert.match(String(error.message), new RegExp(`/v1/images/jobs/${jobId}/events\\?after=0`));

  const second = await spawnHoldfast(t, configPath, jobsEnv);
  const job = await eventually(async () => {
    const res = await getJson(`${second.url}/v1/images/jobs/${jobId}`, auth);
    return res.json.status === 'succeeded' ? res.json : undefined;
  }, 'the job to finish after the restart');
  assert.equal((job.attempts as unknown[]).length, 2, 'one attempt cut by the shutdown, one after the restart');
});
