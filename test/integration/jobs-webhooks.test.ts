// Webhooks as a receiver sees them: signed per Standard Webhooks (checked by a verifier written here
// from the specification, not holdfast's signer), retried with the same webhook-id after a 500,
// and recorded on the job. Private URLs are refused unless the operator allows them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { postJson, getJson } from '../helpers/sse.js';
import { startReceiver } from '../helpers/webhook-receiver.js';
import { eventually, jobsConfig, jobsEnv, jobsScenario, spawnHoldfast, startFixture } from '../helpers/process.js';

const auth = { authorization: `Bearer ${jobsEnv.CLIENT_KEY}` };
const body = { model: 'gpt-image-1', prompt: 'a weather vane', size: '1024x1024', quality: 'low' };

/** Standard Webhooks: base64(HMAC-SHA256(base64decode(secret after whsec_), `${id}.${timestamp}.${body}`)), any `v1,` entry. */
function verify(headers: IncomingHttpHeaders, rawBody: string, secret: string, nowSec: number): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false;
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSec - Number(timestamp)) > 300) return false;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${rawBody}`, 'utf8').digest();
  return signatures.split(' ').some((entry) => {
    const comma = entry.indexOf(',');
    if (entry.slice(0, comma) !== 'v1') return false;
    const given = Buffer.from(entry.slice(comma + 1), 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

test('a webhook is signed per Standard Webhooks and retried with the same webhook-id after a 500', async (t) => {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const receiver = await startReceiver(t, [500, 200]);
  const fixture = await startFixture(t, { scenarioYaml: jobsScenario(1) });
  const extra = 'webhooks: { secret: env:WEBHOOK_SECRET, allow_private_addresses: true, base_delay_ms: 50, max_delay_ms: 100, max_attempts: 4 }';
  const holdfast = await spawnHoldfast(t, fixture.writeConfig(jobsConfig({ extra })), { ...jobsEnv, WEBHOOK_SECRET: secret });

  const created = await postJson(`${holdfast.url}/v1/images/generations`, body, {
    ...auth, prefer: 'respond-async', 'holdfast-webhook-url': receiver.url,
  });
  assert.equal(created.status, 202);
  const jobId = String(created.json.id);
  await eventually(() => (receiver.received.length >= 2 ? true : undefined), 'two webhook tries');

  const nowSec = Math.floor(Date.now() / 1000);
  const [first, second] = receiver.received;
  for (const delivery of [first, second]) {
    assert.ok(verify(delivery.headers, delivery.body, secret, nowSec), `signature accepted: ${String(delivery.headers['webhook-signature'])}`);
    assert.equal(delivery.headers['content-type'], 'application/json');
    const event = JSON.parse(delivery.body) as { type: string; data: { id: string; status: string; object: string } };
    assert.equal(event.type, 'image.job.succeeded');
    assert.deepEqual([event.data.id, event.data.object, event.data.status], [jobId, 'image.job', 'succeeded']);
  }
  assert.equal(first.headers['webhook-id'], second.headers['webhook-id']);
  assert.ok(!verify(first.headers, first.body.replace('succeeded', 'failed'), secret, nowSec), 'a tampered body fails');
  assert.ok(!verify(first.headers, first.body, `whsec_${randomBytes(32).toString('base64')}`, nowSec), 'another secret fails');

  const deliveries = await eventually(async () => {
    const job = await getJson(`${holdfast.url}/v1/images/jobs/${jobId}`, auth);
    const list = job.json.webhook_deliveries as Array<{ webhook_id: string; attempt: number; status: number | null }> | undefined;
    return list && list.length === 2 ? list : undefined;
  }, 'deliveries recorded on the job');
  assert.deepEqual(deliveries.map((d) => [d.attempt, d.status]), [[1, 500], [2, 200]]);
  assert.ok(deliveries.every((d) => d.webhook_id === first.headers['webhook-id']));
  assert.equal(receiver.received.length, 2, 'no try after the 2xx');
});

test('a private or non-http webhook URL is refused with 400 before any job when private addresses are not allowed', async (t) => {
  const fixture = await startFixture(t, { scenarioYaml: jobsScenario(1) });
  const extra = 'webhooks: { secret: env:WEBHOOK_SECRET }';
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const holdfast = await spawnHoldfast(t, fixture.writeConfig(jobsConfig({ extra })), { ...jobsEnv, WEBHOOK_SECRET: secret });
  for (const url of ['http://127.0.0.1:9/hook', 'http://10.1.2.3/hook', 'http://[::1]/hook', 'http://169.254.169.254/latest', 'ftp://example.com/hook']) {
    const res = await postJson(`${holdfast.url}/v1/images/generations`, body, { ...auth, prefer: 'respond-async', 'holdfast-webhook-url': url });
    assert.equal(res.status, 400, url);
    const error = res.json.error as Record<string, unknown>;
    assert.equal(error.param, 'Holdfast-Webhook-Url');
    assert.match(String(error.message), /Holdfast-Webhook-Url refused/);
    assert.equal(res.headers['holdfast-job-id'], undefined, 'no job was created');
  }
  assert.equal(fixture.sim.stats().requests_total, 0);
});

test('a webhook still pending when holdfast is killed is delivered after the restart, as the next try of the same message', async (t) => {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const receiver = await startReceiver(t, [500, 200]);
  const fixture = await startFixture(t, { scenarioYaml: jobsScenario(1) });
  // The retry after the 500 would come a minute later: holdfast is killed before it.
  const extra = 'webhooks: { secret: env:WEBHOOK_SECRET, allow_private_addresses: true, base_delay_ms: 60000, max_delay_ms: 60000, max_attempts: 4 }';
  const config = fixture.writeConfig(jobsConfig({ extra }));
  const env = { ...jobsEnv, WEBHOOK_SECRET: secret };
  const first = await spawnHoldfast(t, config, env);
  const created = await postJson(`${first.url}/v1/images/generations`, body, { ...auth, prefer: 'respond-async', 'holdfast-webhook-url': receiver.url });
  const jobId = String(created.json.id);
  await eventually(async () => {
    const job = await getJson(`${first.url}/v1/images/jobs/${jobId}`, auth);
    return (job.json.webhook_deliveries as unknown[] | undefined)?.length === 1 ? true : undefined;
  }, 'the first try recorded on the job');
  await first.kill('SIGKILL');

  const second = await spawnHoldfast(t, config, env);
  await eventually(() => (receiver.received.length >= 2 ? true : undefined), 'the retry after the restart');
  const [a, b] = receiver.received;
  assert.equal(a.headers['webhook-id'], b.headers['webhook-id']);
  assert.ok(verify(b.headers, b.body, secret, Math.floor(Date.now() / 1000)));
  const deliveries = await eventually(async () => {
    const job = await getJson(`${second.url}/v1/images/jobs/${jobId}`, auth);
    const list = job.json.webhook_deliveries as Array<{ attempt: number; status: number | null }> | undefined;
    return list && list.length === 2 ? list : undefined;
  }, 'both tries recorded');
  assert.deepEqual(deliveries.map((d) => [d.attempt, d.status]), [[1, 500], [2, 200]]);
  await second.kill('SIGTERM');
  assert.equal(receiver.received.length, 2, 'delivered once, not again at shutdown');
});
