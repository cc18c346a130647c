// A second `holdfast serve` on the same SQLite store (e.g. started by mistake on another port) is
// refused with a message naming the first process, and the first one's running job is untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSse, postJson, getJson } from '../helpers/sse.js';
import { eventually, jobsConfig, jobsEnv, jobsScenario, spawnHoldfast, startFixture } from '../helpers/process.js';

const auth = { authorization: `Bearer ${jobsEnv.CLIENT_KEY}` };

test('a second holdfast serve on one SQLite store exits at once naming the first, which finishes its job alone', async (t) => {
  const fixture = await startFixture(t, { scenarioYaml: jobsScenario(2) });
  const configPath = fixture.writeConfig(jobsConfig());
  const first = await spawnHoldfast(t, configPath, jobsEnv);
  const body = { model: 'gpt-image-1', prompt: 'a lighthouse', size: '1024x1024', quality: 'high' };
  const accepted = await postJson(`${first.url}/v1/images/generations`, body, { ...auth, prefer: 'respond-async' });
  assert.equal(accepted.status, 202);
  const id = String(accepted.json.id);
  await eventually(() => (fixture.sim.stats().deployments['gpt-image-1'].in_flight === 1 ? true : undefined), 'the upstream call');

  await assert.rejects(spawnHoldfast(t, configPath, jobsEnv), (error: Error) => {
    assert.match(error.message, /exited \(1\) before listening/);
    assert.match(error.message, new RegExp(`in use by process ${first.child.pid} on \\S+ \\(since \\d{4}-`));
    assert.doesNotMatch(error.message, /at .*\.ts:\d+/, 'a message, not a stack trace');
    return true;
  });

  const log = await readSse(`${first.url}/v1/images/jobs/${id}/events`, { method: 'GET', headers: auth });
  const types = log.frames.map((f) => f.event);
  assert.equal(types.filter((e) => e === 'job.queued').length, 1, `never resumed by the second process: ${types.join(',')}`);
  assert.equal(types.at(-1), 'job.completed');
  const job = await getJson(`${first.url}/v1/images/jobs/${id}`, auth);
  assert.equal((job.json.attempts as unknown[]).length, 1);
  assert.equal(fixture.sim.stats().deployments['gpt-image-1'].requests, 1);
});
