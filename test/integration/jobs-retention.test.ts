// Retention as an operator sees it: a finished job, its events and its images disappear after
// jobs.retention_ms, the image folder returns to empty, and the idempotency key lasts as long as the job.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { request } from 'undici';
import { postJson, getJson } from '../helpers/sse.js';
import { diskUsageBytes, eventually, jobsConfig, jobsEnv, jobsScenario, spawnHoldfast, startFixture } from '../helpers/process.js';

const auth = { authorization: `Bearer ${jobsEnv.CLIENT_KEY}` };

async function status(url: string): Promise<number> {
  const res = await request(url, { headers: auth });
  await res.body.dump();
  return res.statusCode;
}

test('a finished job and its images are purged after retention_ms; its key lasts as long as the job', async (t) => {
  // 1024x1024 high at latency 12: the job runs ~9 s (a loaded machine only makes it longer), more
  // than the 8 s retention; the checks between the job's end and its purge then have 8 s, not a
  // tight 2 s window.
  const fixture = await startFixture(t, { scenarioYaml: jobsScenario(12) });
  const extra = 'jobs: { retention_ms: 8000, purge_interval_ms: 100 }';
  const holdfast = await spawnHoldfast(t, fixture.writeConfig(jobsConfig({ extra })), jobsEnv);
  const body = { model: 'gpt-image-1', prompt: 'an hourglass', size: '1024x1024', quality: 'high' };
  const headers = { ...auth, 'idempotency-key': 'hourglass' };
  const images = join(fixture.dataDir, 'images');

  const done = await postJson(`${holdfast.url}/v1/images/generations`, body, headers);
  assert.equal(done.status, 200);
  const base = `${holdfast.url}/v1/images/jobs/${String(done.headers['holdfast-job-id'])}`;
  assert.equal((await getJson(base, auth)).json.status, 'succeeded');
  assert.equal(await status(`${base}/images/0`), 200);
  assert.ok(diskUsageBytes(images) > 1000, 'the image is on disk');

  // The key was claimed more than retention_ms ago, but the job is still kept: the key still holds.
  const retried = await postJson(`${holdfast.url}/v1/images/generations`, body, headers);
  assert.equal(retried.status, 200);
  assert.equal(retried.headers['holdfast-job-id'], done.headers['holdfast-job-id']);
  assert.equal(fixture.sim.stats().requests_total, 1);

  await eventually(async () => ((await status(base)) === 404 ? true : undefined), 'the job to be purged', 30_000);
  assert.equal(await status(`${base}/images/0`), 404);
  assert.equal(await status(`${base}/events`), 404);
  assert.equal(diskUsageBytes(images), 0, 'no image bytes left');
  const ready = await getJson(`${holdfast.url}/readyz`);
  assert.deepEqual([ready.status, ready.json], [200, { status: 'ready', store: 'ok' }]);

  // Gone with its job, the key starts a new one.
  const fresh = await postJson(`${holdfast.url}/v1/images/generations`, body, { ...headers, prefer: 'respond-async' });
  assert.equal(fresh.status, 202);
  assert.notEqual(fresh.json.id, done.headers['holdfast-job-id']);
});
