// `holdfast jobs show` and `holdfast jobs fetch` as a user picks a finished job back up: a real
// gateway process and real CLI processes. The job is created over HTTP (`Prefer: respond-async`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import sharp from 'sharp';
import { getJson, postJson } from '../helpers/sse.js';
import { eventually, jobsConfig, jobsEnv, jobsScenario, spawnHoldfast, startFixture } from '../helpers/process.js';
import { runCli } from '../helpers/cli.js';

const auth = { authorization: `Bearer ${jobsEnv.CLIENT_KEY}` };

test('jobs show lists the attempts with upstream request ids; jobs fetch writes the image, named after the job\'s own format', async (t) => {
  const fixture = await startFixture(t, { scenarioYaml: jobsScenario(1) });
  const gateway = await spawnHoldfast(t, fixture.writeConfig(jobsConfig()), jobsEnv);
  const common = ['--gateway', gateway.url, '--key', jobsEnv.CLIENT_KEY];
  const created = await postJson(`${gateway.url}/v1/images/generations`,
    { model: 'gpt-image-1', prompt: 'a plum', size: '1024x1024', quality: 'low', output_format: 'webp' }, { ...auth, prefer: 'respond-async' });
  assert.equal(created.status, 202);
  const id = String(created.json.id);
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
});
