// `holdfast jobs fetch|cancel|show` on a job still running: fetch says to follow it (exit 1), cancel
// stops it, show tells how its attempt ended. A real gateway process and real CLI processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { postJson } from '../helpers/sse.js';
import { eventually, jobsConfig, jobsEnv, jobsScenario, spawnHoldfast, startFixture } from '../helpers/process.js';
import { runCli } from '../helpers/cli.js';

const auth = { authorization: `Bearer ${jobsEnv.CLIENT_KEY}` };

test('a running job: jobs fetch exits 1 pointing at jobs follow, jobs cancel cancels it, jobs show gives the attempt its end', async (t) => {
  // 1024x1024 high at latency 300: about 3 minutes of real time upstream, longer than the CLI calls below take even on a loaded machine.
  const fixture = await startFixture(t, { scenarioYaml: jobsScenario(300) });
  const gateway = await spawnHoldfast(t, fixture.writeConfig(jobsConfig()), jobsEnv);
  const common = ['--gateway', gateway.url, '--key', jobsEnv.CLIENT_KEY];
  const created = await postJson(`${gateway.url}/v1/images/generations`,
    { model: 'gpt-image-1', prompt: 'a glacier', size: '1024x1024', quality: 'high' }, { ...auth, prefer: 'respond-async' });
  const id = String(created.json.id);
  await eventually(() => (fixture.sim.stats().deployments['gpt-image-1'].in_flight === 1 ? true : undefined), 'the upstream call', 60_000);

  const early = await runCli(t, ['jobs', 'fetch', id, ...common]);
  assert.equal(early.code, 1);
  assert.match(early.output, new RegExp(`job ${id} is running, it has no images; wait for it with: holdfast jobs follow ${id}`));
  const cancelled = await runCli(t, ['jobs', 'cancel', id, ...common]);
  assert.equal(cancelled.code, 0, cancelled.output);
  assert.equal(cancelled.stdout, `${id}: cancelled\n`);
  const after = await runCli(t, ['jobs', 'show', id, ...common]);
  assert.match(after.stdout, /attempt 1 on sim \(\w+\): \S+Z -> \S+Z {2}cancelled/);
});
