// Idempotency-Key as a user relies on it: the same key and body, however they ask for the answer
// (stream, JSON, 202) and whether at once or later, cost one upstream call and get one answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSse, postJson } from '../helpers/sse.js';
import { jobsConfig, jobsEnv, jobsScenario, spawnHoldfast, startFixture } from '../helpers/process.js';

const auth = { authorization: `Bearer ${jobsEnv.CLIENT_KEY}` };
const body = { model: 'gpt-image-1', prompt: 'a paper boat', size: '1024x1024', quality: 'low' };

test('one Idempotency-Key: a streaming and a JSON request, at once and later, share one upstream call', async (t) => {
  const fixture = await startFixture(t, { scenarioYaml: jobsScenario(2) });
  const holdfast = await spawnHoldfast(t, fixture.writeConfig(jobsConfig()), jobsEnv);
  const url = `${holdfast.url}/v1/images/generations`;
  const headers = { ...auth, 'idempotency-key': 'boat-1' };

  const [streamed, json] = await Promise.all([
    readSse(url, { headers, body: { ...body, stream: true } }),
    postJson(url, body, headers),
  ]);
  assert.equal(streamed.status, 200);
  assert.equal(json.status, 200, JSON.stringify(json.json));
  assert.equal(streamed.headers['holdfast-job-id'], json.headers['holdfast-job-id']);
  const completed = streamed.frames.filter((f) => f.event === 'image_generation.completed');
  assert.equal(completed.length, 1, streamed.frames.map((f) => f.event).join(','));
  const b64 = (json.json.data as Array<{ b64_json: string }>)[0].b64_json;
  assert.ok(b64.length > 1000);
  assert.equal(completed[0].json.b64_json, b64, 'the same picture both ways');
  assert.equal(fixture.sim.stats().requests_total, 1);

  // Later: JSON, a stream and 202 all attach to the finished job.
  const later = await postJson(url, body, headers);
  assert.equal(later.status, 200);
  assert.equal((later.json.data as Array<{ b64_json: string }>)[0].b64_json, b64);
  const laterStream = await readSse(url, { headers, body: { ...body, stream: true } });
  assert.deepEqual(laterStream.frames.map((f) => f.event), ['image_generation.completed']);
  assert.equal(laterStream.frames[0].json.b64_json, b64);
  const accepted = await postJson(url, body, { ...headers, prefer: 'respond-async' });
  assert.equal(accepted.status, 202);
  assert.equal(accepted.json.id, json.headers['holdfast-job-id']);
  assert.equal(accepted.json.status, 'succeeded');
  assert.equal(fixture.sim.stats().requests_total, 1);

  // The same key with another body is refused before any upstream call.
  const reused = await postJson(url, { ...body, prompt: 'a paper plane' }, headers);
  assert.equal(reused.status, 422);
  const error = reused.json.error as Record<string, unknown>;
  assert.equal(error.code, 'idempotency_key_reused');
  assert.match(String(error.message), /boat-1.*different request body/);
  assert.equal(error.param, 'Idempotency-Key');
  assert.equal(fixture.sim.stats().requests_total, 1);
});
