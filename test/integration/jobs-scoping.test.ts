// Jobs belong to the client key that created them: another key cannot read, follow, fetch images
// of or cancel a job; it gets the same 404 as for a job that does not exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { readSse, postJson, getJson } from '../helpers/sse.js';
import { jobsConfig, jobsEnv, jobsScenario, spawnHoldfast, startFixture } from '../helpers/process.js';

const owner = { authorization: `Bearer ${jobsEnv.CLIENT_KEY}` };
const other = { 'api-key': jobsEnv.CLIENT_KEY_2 };

async function call(method: 'GET' | 'DELETE', url: string, headers: Record<string, string>): Promise<{ status: number; code: unknown }> {
  const res = await request(url, { method, headers });
  const text = await res.body.text();
  const json = JSON.parse(text) as { error?: { code?: unknown } };
  return { status: res.statusCode, code: json.error?.code };
}

test('another client key gets 404 for every job route, and cannot cancel the job', async (t) => {
  const fixture = await startFixture(t, { scenarioYaml: jobsScenario(2) });
  const holdfast = await spawnHoldfast(t, fixture.writeConfig(jobsConfig({ twoKeys: true })), jobsEnv);
  const body = { model: 'gpt-image-1', prompt: 'a private garden', size: '1024x1024', quality: 'low' };
  const created = await postJson(`${holdfast.url}/v1/images/generations`, body, { ...owner, prefer: 'respond-async', 'idempotency-key': 'garden' });
  assert.equal(created.status, 202);
  const base = `${holdfast.url}/v1/images/jobs/${String(created.json.id)}`;

  for (const [method, url] of [
    ['GET', base], ['GET', `${base}/events`], ['GET', `${base}/events?after=0`], ['GET', `${base}/images/0`], ['DELETE', base],
  ] as const) {
    assert.deepEqual(await call(method, url, other), { status: 404, code: 'job_not_found' }, `${method} ${url}`);
  }
  assert.deepEqual(await call('GET', `${holdfast.url}/v1/images/jobs/job_0123456789abcdef0123456789abcdef`, other), { status: 404, code: 'job_not_found' });
  assert.equal((await call('GET', base, {})).status, 401);
  assert.equal((await call('GET', base, { authorization: 'Bearer not-a-key' })).status, 401);

  // The other key's DELETE changed nothing: the owner's job completes.
  const events = await readSse(`${base}/events`, { method: 'GET', headers: owner });
  assert.equal(events.frames.at(-1)?.event, 'job.completed');
  assert.equal((await getJson(base, owner)).json.status, 'succeeded');
  const image = await request(`${base}/images/0`, { headers: owner });
  assert.equal(image.statusCode, 200);
  await image.body.dump();

  // Idempotency keys are per client key too: the same key from another client is another job.
  const theirs = await postJson(`${holdfast.url}/v1/images/generations`, body, { ...other, prefer: 'respond-async', 'idempotency-key': 'garden' });
  assert.equal(theirs.status, 202);
  assert.notEqual(theirs.json.id, created.json.id);
});
