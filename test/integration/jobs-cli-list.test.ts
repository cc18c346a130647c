// `holdfast jobs list` calls GET /v1/images/jobs: a gateway without that endpoint gets one plain
// line (exit 1); bad options exit 2; an unknown job is the gateway's 404 in one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getJson } from '../helpers/sse.js';
import { jobsConfig, jobsEnv, jobsScenario, spawnHoldfast, startFixture } from '../helpers/process.js';
import { runCli } from '../helpers/cli.js';

const auth = { authorization: `Bearer ${jobsEnv.CLIENT_KEY}` };

test('jobs list without a list endpoint says so in one line; an unknown job is one line; bad options exit 2', async (t) => {
  const fixture = await startFixture(t, { scenarioYaml: jobsScenario(1) });
  const gateway = await spawnHoldfast(t, fixture.writeConfig(jobsConfig()), jobsEnv);
  const common = ['--gateway', gateway.url, '--key', jobsEnv.CLIENT_KEY];
  const listed = await runCli(t, ['jobs', 'list', ...common]);
  if ((await getJson(`${gateway.url}/v1/images/jobs`, auth)).status === 404) {
    assert.equal(listed.code, 1);
    assert.match(listed.output, /^holdfast jobs list: this gateway has no job list \(GET \S+\/v1\/images\/jobs answered 404; it needs a newer holdfast\)\. Look a job up by its id: holdfast jobs show <id>\n$/);
  } else {
    assert.equal(listed.code, 0, listed.output);
    assert.equal(listed.stdout, 'no jobs\n');
  }
  const missing = await runCli(t, ['jobs', 'show', 'job_00000000000000000000000000000000', ...common]);
  assert.equal(missing.code, 1);
  assert.match(missing.output, /^holdfast jobs show: the gateway answered 404 job_not_found: /);
  const bad = await runCli(t, ['jobs', 'list', '--status', 'nope', ...common]);
  assert.equal(bad.code, 2);
});
