// The webhook sender against a real receiver on 127.0.0.1, on virtual time. Signatures are
// checked by an independent verifier written from the Standard Webhooks spec with node:crypto.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../time/manual-clock.js';
import { createSeededRandom } from '../time/random.js';
import { createWebhookSender, type Delivery, type WebhookSenderOptions } from './webhook-sender.js';

const secret = 'whsec_' + Buffer.from('holdfast test signing key, 32 b!').toString('base64');

/** Spec: HMAC-SHA256 of "id.timestamp.body" keyed by base64-decoding the part after whsec_. */
function verifyStandardWebhook(headers: IncomingHttpHeaders, body: string, whsec: string): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false;
  const key = Buffer.from(whsec.split('_')[1], 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return signatures.split(' ').some((entry) => {
    const [version, value] = entry.split(',');
    const given = Buffer.from(value ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

interface Received { headers: IncomingHttpHeaders; body: string }

/** A receiver answering each request with the next status ('hang' never answers; the last repeats). */
async function startReceiver(t: TestContext, answers: Array<number | 'hang'>) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      server.emit('received');
      const answer = answers[Math.min(received.length, answers.length) - 1];
      if (answer !== 'hang') res.writeHead(answer, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => { server.closeAllConnections(); server.close(); });
  const { port } = server.address() as AddressInfo;
  return { received, server, port, url: `http://127.0.0.1:${port}/hooks/holdfast?token=abc` };
}

/** Collects deliveries as they happen, so a test can wait for the n-th try before moving time. */
function observe() {
  const seen: Delivery[] = [];
  let wake = (): void => {};
  return {
    seen,
    onDelivery: (d: Delivery): void => { seen.push(d); wake(); },
    async until(n: number): Promise<void> {
      while (seen.length < n) await new Promise<void>((resolve) => { wake = resolve; });
    },
  };
}

const base: WebhookSenderOptions = {
  secret, allowPrivateAddresses: true, maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 60_000, timeoutMs: 10_000,
};
const job = { id: 'job_1', object: 'image.job', status: 'succeeded' };

test('a 500 is retried after the backoff; both tries carry one webhook-id and a valid signature', async (t) => {
  const receiver = await startReceiver(t, [500, 200]);
  const clock = new ManualClock(1_700_000_000_000);
  const sender = createWebhookSender({ clock, random: createSeededRandom(42) }, base);
  const watch = observe();
  const delivering = sender.deliver({ webhookId: 'msg_1', url: receiver.url, type: 'image.job.succeeded', payload: job }, undefined, watch.onDelivery);
  await watch.until(1);
  const delayMs = Math.floor(createSeededRandom(42).next() * base.baseDelayMs);
  await clock.advanceBy(delayMs - 1);
  assert.equal(receiver.received.length, 1);
  assert.equal(clock.pendingCount, 1, 'still waiting out the backoff');
  await clock.advanceBy(1);
  const deliveries = await delivering;

  assert.deepEqual(deliveries.map((d) => [d.attempt, d.status]), [[1, 500], [2, 200]]);
  assert.deepEqual(deliveries, watch.seen);
  assert.equal(deliveries[1].at - deliveries[0].at, delayMs);
  assert.equal(receiver.received.length, 2);
  for (const { headers, body } of receiver.received) {
    assert.equal(headers['webhook-id'], 'msg_1');
    assert.equal(headers['content-type'], 'application/json');
    assert.ok(verifyStandardWebhook(headers, body, secret), 'signature verifies');
    assert.ok(!verifyStandardWebhook(headers, body + ' ', secret), 'a changed body does not verify');
    assert.deepEqual(JSON.parse(body), { type: 'image.job.succeeded', timestamp: '2023-11-14T22:13:20.000Z', data: job });
  }
  assert.deepEqual(receiver.received.map((r) => r.headers['webhook-timestamp']), ['1700000000', String(Math.floor((1_700_000_000_000 + delayMs) / 1000))]);
});

test('tries stop at maxAttempts when the receiver keeps failing', async (t) => {
  const receiver = await startReceiver(t, [503]);
  const clock = new ManualClock();
  const sender = createWebhookSender({ clock, random: createSeededRandom(1) }, { ...base, maxAttempts: 3 });
  const watch = observe();
  const delivering = sender.deliver({ webhookId: 'msg_2', url: receiver.url, type: 'image.job.failed', payload: job }, undefined, watch.onDelivery);
  await watch.until(1);
  await clock.advanceBy(base.maxDelayMs);
  await watch.until(2);
  await clock.advanceBy(base.maxDelayMs);
  const deliveries = await delivering;
  assert.deepEqual(deliveries.map((d) => [d.attempt, d.status]), [[1, 503], [2, 503], [3, 503]]);
  assert.equal(receiver.received.length, 3);
  assert.equal(clock.pendingCount, 0);
});

test('private and non-http URLs are refused without a request when not allowed', async (t) => {
  const receiver = await startReceiver(t, [200]);
  const sender = createWebhookSender({ clock: new ManualClock(), random: createSeededRandom(1) }, { ...base, allowPrivateAddresses: false });
  for (const url of [receiver.url, 'http://10.0.0.1/x', 'http://169.254.169.254/latest', `http://[::1]:${receiver.port}/`, 'ftp://example.com/x']) {
    const deliveries = await sender.deliver({ webhookId: 'msg_3', url, type: 'image.job.succeeded', payload: job });
    assert.equal(deliveries.length, 1, url);
    assert.equal(deliveries[0].status, undefined);
    assert.match(deliveries[0].error ?? '', /non-public address|http or https/, url);
  }
  assert.equal(receiver.received.length, 0);
});

test('the connection goes to the address the check resolved', async (t) => {
  const receiver = await startReceiver(t, [204]);
  const resolve = async (host: string) => (host === 'receiver.test' ? [{ address: '127.0.0.1', family: 4 as const }] : []);
  const sender = createWebhookSender({ clock: new ManualClock(), random: createSeededRandom(1), resolve }, base);
  const deliveries = await sender.deliver({ webhookId: 'msg_4', url: `http://receiver.test:${receiver.port}/h`, type: 'image.job.succeeded', payload: job });
  assert.deepEqual(deliveries.map((d) => d.status), [204]);
  assert.equal(receiver.received[0].headers.host, `receiver.test:${receiver.port}`);
});

test('a receiver that never answers times out on the injected clock', async (t) => {
  const receiver = await startReceiver(t, ['hang']);
  const clock = new ManualClock();
  const sender = createWebhookSender({ clock, random: createSeededRandom(1) }, { ...base, maxAttempts: 1, timeoutMs: 5_000 });
  const delivering = sender.deliver({ webhookId: 'msg_5', url: receiver.url, type: 'image.job.succeeded', payload: job });
  await once(receiver.server, 'received');
  await clock.advanceBy(5_000);
  assert.deepEqual(await delivering, [{ attempt: 1, at: clock.now() - 5_000, error: 'no response within 5000 ms', durationMs: 5_000 }]);
});

test('the secret appears in no delivery record, log line or error', async (t) => {
  const receiver = await startReceiver(t, [500]);
  const closed = await startReceiver(t, [200]);
  closed.server.close();
  await once(closed.server, 'close');
  const logged: unknown[] = [];
  const log = { warn: (fields: Record<string, unknown>, message: string) => logged.push(fields, message) };
  const clock = new ManualClock();
  const sender = createWebhookSender({ clock, random: createSeededRandom(1), log }, { ...base, maxAttempts: 1 });
  const records = [
    ...(await sender.deliver({ webhookId: 'm', url: receiver.url, type: 'image.job.failed', payload: job })),
    ...(await sender.deliver({ webhookId: 'm', url: closed.url, type: 'image.job.failed', payload: job })),
  ];
  assert.equal(records[1].error, 'ECONNREFUSED');
  const key = secret.slice('whsec_'.length);
  const text = JSON.stringify([records, logged]);
  assert.ok(!text.includes(key) && !text.includes(Buffer.from(key, 'base64').toString('utf8')));
  assert.throws(() => createWebhookSender({ clock, random: createSeededRandom(1) }, { ...base, secret: 'whsec_s3cr3t!!' }), (e: Error) => !e.message.includes('s3cr3t'));
});

test('without a secret the request is sent unsigned; aborting stops the retries', async (t) => {
  const receiver = await startReceiver(t, [500]);
  const clock = new ManualClock();
  const sender = createWebhookSender({ clock, random: createSeededRandom(1) }, { ...base, secret: undefined });
  const controller = new AbortController();
  const watch = observe();
  const delivering = sender.deliver({ webhookId: 'm', url: receiver.url, type: 'image.job.failed', payload: job }, controller.signal, watch.onDelivery);
  await watch.until(1);
  controller.abort();
  assert.equal((await delivering).length, 1);
  assert.equal(receiver.received[0].headers['webhook-signature'], undefined);
  assert.equal(receiver.received[0].headers['webhook-id'], 'm');
});
