// `holdfast jobs …` as a user picks a job back up: a real gateway process and real CLI processes.
// A job created with `generate --async` is shown (attempts with upstream request ids) and fetched
// (the image written, named after the job's own format); a running one is cancelled; list says
// plainly when the gateway has no list endpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import sharp from 'sharp';
import { getJson } from '../helpers/sse.js';
import { eventually, jobsConfig, jobsEnv, jobsScenario, spawnHoldfast, startFixture } from '../helpers/process.js';
import { runCli } from '../helpers/cli.js';

const auth = { authorization: `Bearer ${jobsEnv.CLIENT_KEY}` };

test('jobs show and jobs fetch pick a finished job back up; jobs cancel stops a running one; exit codes say what happened', async (t) => {
  const fixture = await startFixture(t, { scenarioYaml: jobsScenario(1) });
  const gateway = await spawnHoldfast(t, fixture.writeConfig(jobsConfig()), jobsEnv);
  const common = ['--gateway', gateway.url, '--key', jobsEnv.CLIENT_KEY];

  const created = await runCli(t, ['generate', 'a plum', '--size', '1024x1024', '--quality', 'low', '--format', 'webp', '--model', 'gpt-image-1', '--async', ...common]);
  assert.equal(created.code, 0, created.output);
  const id = created.stdout.split('\n')[0];
  assert.match(id, /^job_[0-9a-f]{32}$/);
  await eventually(async () => ((await getJson(`${gateway.url}/v1/images/jobs/${id}`, auth)).json.status === 'succeeded' ? true : undefined), 'the job to finish', 60_000);

  const shown = await runCli(t, ['jobs', 'show', id, ...common]);
  assert.equal(shown.code, 0, shown.output);
  assert.match(shown.stdout, new RegExp(`^${id}  succeeded  model gpt-image-1 \\(generations\\)\\n`));
  assert.match(shown.stdout, /\n {2}created \S+Z, updated \S+Z, deadline \S+Z\n/);
  assert.match(shown.stdout, /\n {2}attempt 1 on sim \(\w+\): \S+Z -> \S+Z {2}succeeded {2}x-request-id=\S+/);
  assert.match(shown.stdout, new RegExp(`1 image\\(s\\): holdfast jobs fetch ${id}`));

  const out = join(fixture.dataDir, 'plum');
  const fetched = await runCli(t, ['jobs', 'fetch', id, '--out', out, ...common]);
  assert.equal(fetched.code, 0, fetched.output);
  assert.match(fetched.output, /wrote .*plum\.webp \([\d.]+ MB\)/);
  const meta = await sharp(`${out}.webp`).metadata();
  assert.deepEqual([meta.width, meta.height, meta.format], [1024, 1024, 'webp']);

  // A running job: fetch says to follow it (exit 1), cancel stops it, show tells how its attempt ended.
  const slow = await runCli(t, ['generate', 'a glacier', '--size', '1024x1024', '--quality', 'high', '--model', 'gpt-image-1', '--async', ...common]);
  const slowId = slow.stdout.split('\n')[0];
  await eventually(() => (fixture.sim.stats().deployments['gpt-image-1'].in_flight === 1 ? true : undefined), 'the upstream call', 60_000);
  const early = await runCli(t, ['jobs', 'fetch', slowId, ...common]);
  assert.equal(early.code, 1);
  assert.match(early.output, new RegExp(`job ${slowId} is running, it has no images; wait for it with: holdfast jobs follow ${slowId}`));
  const cancelled = await runCli(t, ['jobs', 'cancel', slowId, ...common]);
  assert.equal(cancelled.code, 0, cancelled.output);
  assert.equal(cancelled.stdout, `${slowId}: cancelled\n`);
  const after = await runCli(t, ['jobs', 'show', slowId, ...common]);
  assert.match(after.stdout, /attempt 1 on sim \(\w+\): \S+Z -> \S+Z {2}cancelled/);

  const missing = await runCli(t, ['jobs', 'show', 'job_00000000000000000000000000000000', ...common]);
  assert.equal(missing.code, 1);
  assert.match(missing.output, /^holdfast jobs show: the gateway answered 404 job_not_found: /);
});

test('jobs list uses GET /v1/images/jobs; a gateway without it gets one plain line, exit 1', async (t) => {
  const fixture = await startFixture(t, { scenarioYaml: jobsScenario(1) });
  const gateway = await spawnHoldfast(t, fixture.writeConfig(jobsConfig()), jobsEnv);
  const listed = await runCli(t, ['jobs', 'list', '--gateway', gateway.url, '--key', jobsEnv.CLIENT_KEY]);
  const probe = await getJson(`${gateway.url}/v1/images/jobs`, auth);
  if (probe.status === 404) {
    assert.equal(listed.code, 1);
    assert.match(listed.output, /^holdfast jobs list: this gateway has no job list \(GET \S+\/v1\/images\/jobs answered 404; it needs a newer holdfast\)\. Look a job up by its id: holdfast jobs show <id>\n$/);
  } else {
    assert.equal(listed.code, 0, listed.output);
    assert.equal(listed.stdout, 'no jobs\n');
  }
  const bad = await runCli(t, ['jobs', 'list', '--status', 'nope', '--gateway', gateway.url]);
  assert.equal(bad.code, 2);
});
