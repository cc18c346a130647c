// Storage faults: a result the upstream delivered (and billed) survives a store that cannot be
// written for a while, /readyz says so meanwhile, and a record the store cannot read never stops a start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { request } from 'undici';
import { auth, imageB64, json, startBadUpstream, startHardStack, until } from './harness.js';
import { getJson, postJson } from '../helpers/sse.js';

async function readyStatus(url: string): Promise<number> {
  const res = await request(`${url}/readyz`);
  await res.body.text();
  return res.statusCode;
}

test('with the image folder unwritable when the upstream answers, the job waits (readyz 503) and succeeds once it is writable', async (t) => {
  const png = await imageB64();
  let release: () => void = () => undefined;
  const answered = new Promise<void>((r) => { release = r; });
  let received = false;
  const up = await startBadUpstream(t, async (_req, res) => {
    received = true;
    await answered;
    json(res, 200, { data: [{ b64_json: png }] });
  });
  const stack = await startHardStack(t, {
    models: '  slow: { deployments: [slow] }',
    // Generous watchdog and deadline: the test holds the upstream's answer for as long as it needs.
    deployments: '  slow: { provider: openai, base_url: "{{BAD}}/v1", api_key: env:UPSTREAM_KEY, model: gpt-image-2, upstream_mode: non_stream, response_timeout_ms: 36000000 }',
    sections: 'jobs: { max_deadline_ms: 36000000 }',
    bad: up,
  });
  const submitted = await postJson(`${stack.url}/v1/images/generations`, { model: 'slow', prompt: 'a', size: '1024x1024', quality: 'low' }, { ...auth, prefer: 'respond-async', 'holdfast-deadline-ms': '36000000' });
  assert.equal(submitted.status, 202);
  const id = String(submitted.headers['holdfast-job-id']);
  await until(() => received, 10_000, 'the upstream call');
  assert.equal(await readyStatus(stack.url), 200);
  // The folder images go to becomes a plain file: every write under it fails (even as root).
  const images = join(stack.dataDir, 'images');
  renameSync(images, `${images}.away`);
  writeFileSync(images, 'not a folder');
  release();
  await until(async () => (await readyStatus(stack.url)) === 503, 10_000, 'readyz 503');
  await new Promise((r) => setTimeout(r, 300));
  const during = await getJson(`${stack.url}/v1/images/jobs/${id}`, auth);
  assert.equal(during.json.status, 'running', 'a delivered result is not a failure');
  rmSync(images);
  renameSync(`${images}.away`, images);
  await until(async () => (await getJson(`${stack.url}/v1/images/jobs/${id}`, auth)).json.status === 'succeeded', 20_000, 'the job to succeed');
  assert.equal(await readyStatus(stack.url), 200);
  assert.equal(up.requests, 1, 'the paid-for answer was used, not a second upstream call');
});

test('a job record the store cannot read is quarantined at start with a log line; the other jobs resume', async (t) => {
  let holdOn = true;
  t.after(() => { holdOn = false; });
  const png = await imageB64();
  const up = await startBadUpstream(t, async (_req, res) => {
    while (holdOn) await new Promise((r) => setTimeout(r, 20));
    json(res, 200, { data: [{ b64_json: png }] });
  });
  const stack = await startHardStack(t, {
    trace: true,
    sections: 'webhooks: { secret: env:WEBHOOK_SECRET, allow_private_addresses: true }',
    models: '  slow: { deployments: [slow] }',
    deployments: '  slow: { provider: openai, base_url: "{{BAD}}/v1", api_key: env:UPSTREAM_KEY, model: gpt-image-2, upstream_mode: non_stream }',
    bad: up,
  });
  const ids: string[] = [];
  for (let i = 0; i < 3; i += 1) {
    const r = await postJson(`${stack.url}/v1/images/generations`, { model: 'slow', prompt: `p${i}`, size: '1024x1024', quality: 'low' }, { ...auth, prefer: 'respond-async' });
    ids.push(String(r.headers['holdfast-job-id']));
  }
  await until(() => up.requests >= 3, 10_000, 'three upstream calls');
  await stack.holdfast.close();
  const db = new Database(join(stack.dataDir, 'holdfast.db'));
  db.prepare('UPDATE jobs SET record = ? WHERE id = ?').run('{"id": "broken", "request": ', ids[0]);
  // A record nested beyond what SQLite's JSON functions read, pending a webhook: once enough to stop every start.
  db.prepare("UPDATE jobs SET status = 'succeeded', record = ? WHERE id = ?").run(`{"webhookPending":true,"x":${'['.repeat(1200)}${']'.repeat(1200)}}`, ids[1]);
  db.close();
  holdOn = false;
  await stack.restart();
  assert.ok(stack.logLines.some((l) => l.includes('quarantined') && l.includes(ids[0])));
  await until(async () => (await getJson(`${stack.url}/v1/images/jobs/${ids[2]}`, auth)).json.status === 'succeeded', 20_000, 'the healthy job');
  assert.equal((await getJson(`${stack.url}/v1/images/jobs/${ids[0]}`, auth)).status, 404);
});

test('/readyz is 503 while the image folder cannot be written, 200 again once it can', async (t) => {
  const stack = await startHardStack(t);
  assert.equal(await readyStatus(stack.url), 200);
  const tmp = join(stack.dataDir, 'images', '.tmp');
  mkdirSync(join(stack.dataDir, 'images'), { recursive: true });
  rmSync(tmp, { recursive: true, force: true });
  writeFileSync(tmp, 'blocks the temp folder');
  assert.equal(await readyStatus(stack.url), 503);
  rmSync(tmp);
  assert.equal(await readyStatus(stack.url), 200);
});
