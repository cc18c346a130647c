// A deliberately misbehaving upstream: every answer is bounded and checked before it becomes a
// result, a bad one is retried on the good deployment, and nothing of holdfast's key leaks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { auth, imageB64, json, startBadUpstream, startHardStack, UPSTREAM_KEY, type UpstreamHandler } from './harness.js';
import { postJson, readSse } from '../helpers/sse.js';

const body = { model: 'pair', prompt: 'an apple', size: '1024x1024', quality: 'low' };

/** `bad` is always tried first (weight), `good` is a well-behaved upstream written here. */
async function pairStack(t: import('node:test').TestContext, bad: UpstreamHandler, options: { upstream?: string; mode?: 'stream' | 'non_stream' } = {}) {
  const mode = options.mode ?? 'non_stream';
  const png = await imageB64();
  const badUp = await startBadUpstream(t, bad);
  const goodUp = await startBadUpstream(t, (_req, res) => json(res, 200, { created: 1, data: [{ b64_json: png }], output_format: 'png' }));
  const stack = await startHardStack(t, {
    sections: `upstream: { max_image_bytes: 1048576, error_body_timeout_ms: 2000${options.upstream ?? ''} }`,
    models: '  pair: { deployments: [bad, good] }\n  badonly: { deployments: [bad] }',
    deployments: `  bad: { provider: openai, base_url: "{{BAD}}/v1", api_key: env:UPSTREAM_KEY, model: gpt-image-2, weight: 1000, upstream_mode: ${mode} }
  good: { provider: openai, base_url: "${goodUp.url}/v1", api_key: env:UPSTREAM_KEY, model: gpt-image-2, weight: 0.001, upstream_mode: non_stream }`,
    bad: badUp,
  });
  return { stack, bad: badUp, good: goodUp, png };
}

function sse(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
}

test('a JSON answer over the body bound is dropped unread, and the good deployment serves the job', async (t) => {
  const { stack, bad, good } = await pairStack(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    res.write('{"data":[{"b64_json":"');
    const pump = (): void => { while (res.write(chunk)) { /* until backpressure */ } };
    pump();
    res.on('drain', pump);
  });
  const res = await postJson(`${stack.url}/v1/images/generations`, body, auth);
  assert.equal(res.status, 200);
  assert.equal(bad.requests, 1);
  assert.equal(good.requests, 1);
});

for (const [name, handler] of [
  ['b64_json that is not base64', (_req, res) => json(res, 200, { data: [{ b64_json: '!!!not base64!!!' }] })],
  ['b64_json that is base64 but not an image', (_req, res) => json(res, 200, { data: [{ b64_json: Buffer.from('hello world, no image').toString('base64') }] })],
  ['fewer images than n', (_req, res) => json(res, 200, { data: [] })],
  ['an HTTP 302 redirect', (_req, res) => { res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }); res.end(); }],
  ['an HTTP 204', (_req, res) => { res.writeHead(204); res.end(); }],
] as Array<[string, UpstreamHandler]>) {
  test(`an upstream answering ${name} is an upstream failure, retried on the good deployment`, async (t) => {
    const { stack, bad, good } = await pairStack(t, handler);
    const res = await postJson(`${stack.url}/v1/images/generations`, body, auth);
    assert.equal(res.status, 200, JSON.stringify(res.json).slice(0, 300));
    assert.ok(((res.json.data as Array<{ b64_json: string }>)[0].b64_json).length > 100);
    assert.equal(bad.requests, 1);
    assert.equal(good.requests, 1);
  });
}

test('with only the bad deployment, a 3xx becomes 502 upstream_invalid_response, never a bare 3xx', async (t) => {
  const { stack } = await pairStack(t, (_req, res) => { res.writeHead(301, { location: 'http://127.0.0.1:1/' }); res.end(); });
  const res = await postJson(`${stack.url}/v1/images/generations`, { ...body, model: 'badonly' }, auth);
  assert.equal(res.status, 502);
  assert.equal((res.json.error as Record<string, unknown>).code, 'upstream_invalid_response');
});

test('an odd output_format in a good answer cannot name a file: the job succeeds with the decoded format', async (t) => {
  const png = await imageB64();
  const { stack } = await pairStack(t, (_req, res) => json(res, 200, { data: [{ b64_json: png }], output_format: '../../etc' }));
  const res = await postJson(`${stack.url}/v1/images/generations`, body, auth);
  assert.equal(res.status, 200);
  assert.equal(res.json.output_format, 'png');
});

test("upstream error text never carries holdfast's key: a 401 quoting it and a 400 echoing the headers are scrubbed", async (t) => {
  const { stack } = await pairStack(t, (req, res, _body, index) => {
    if (index % 2 === 0) {
      json(res, 401, { error: { message: `Incorrect API key provided: ${UPSTREAM_KEY.slice(0, 8)}************${UPSTREAM_KEY.slice(-4)}.`, type: 'invalid_request_error', code: 'invalid_api_key' } });
    } else {
      json(res, 400, { error: { message: `bad request; you sent ${JSON.stringify(req.headers)}`, type: 'invalid_request_error', code: 'invalid_value', param: 'size' } });
    }
  });
  const first = await postJson(`${stack.url}/v1/images/generations`, { ...body, model: 'badonly' }, auth);
  const second = await postJson(`${stack.url}/v1/images/generations`, { ...body, model: 'badonly' }, auth);
  assert.equal(first.status, 502);
  assert.equal(second.status, 400, 'a 400 still passes through with its code and param');
  assert.equal((second.json.error as Record<string, unknown>).param, 'size');
  for (const text of [JSON.stringify(first.json), JSON.stringify(second.json)]) {
    assert.ok(!text.includes(UPSTREAM_KEY.slice(0, 8)) && !text.includes(UPSTREAM_KEY.slice(-8)), text);
  }
});

test('a retry-after of a year is clamped to upstream.max_retry_after_ms: the deployment is used again', async (t) => {
  const png = await imageB64();
  const { stack, bad } = await pairStack(t, (_req, res, _b, index) => {
    if (index === 0) json(res, 429, { error: { message: 'slow down', type: 'rate_limit_error', code: 'rate_limit_exceeded' } }, { 'retry-after': String(365 * 86400), 'x-ratelimit-reset-requests': '8760h' });
    else json(res, 200, { data: [{ b64_json: png }] });
  }, { upstream: ', max_retry_after_ms: 2000' });
  const res = await postJson(`${stack.url}/v1/images/generations`, { ...body, model: 'badonly' }, auth);
  assert.equal(res.status, 200, JSON.stringify(res.json).slice(0, 200));
  assert.equal(bad.requests, 2);
});

const completed = (b64: string): string => `event: image_generation.completed\ndata: ${JSON.stringify({ type: 'image_generation.completed', b64_json: b64, output_format: 'png', size: '1024x1024' })}\n\n`;

test('an SSE line larger than any image is refused with bounded memory, and the good deployment serves', async (t) => {
  const { stack, bad, good } = await pairStack(t, (_req, res) => {
    sse(res);
    res.write('event: image_generation.partial_image\ndata: "');
    const chunk = 'a'.repeat(256 * 1024);
    const pump = (): void => { while (!res.destroyed && res.write(chunk)) { /* until backpressure */ } };
    pump();
    res.on('drain', pump);
  }, { mode: 'stream' });
  const res = await postJson(`${stack.url}/v1/images/generations`, body, auth);
  assert.equal(res.status, 200);
  assert.equal(bad.requests, 1);
  assert.equal(good.requests, 1);
});

test('endless unforwarded partials are cut at upstream.max_partial_events and not stored', async (t) => {
  const small = await imageB64(64, 64);
  const { stack, good } = await pairStack(t, (_req, res) => {
    sse(res);
    const partial = `event: image_generation.partial_image\ndata: ${JSON.stringify({ type: 'image_generation.partial_image', b64_json: small, partial_image_index: 0 })}\n\n`;
    const timer = setInterval(() => { if (res.destroyed) clearInterval(timer); else res.write(partial); }, 2);
    res.on('close', () => clearInterval(timer));
  }, { mode: 'stream', upstream: ', max_partial_events: 5' });
  const res = await postJson(`${stack.url}/v1/images/generations`, { ...body, stream: false }, { ...auth, prefer: 'respond-async' });
  const id = String(res.headers['holdfast-job-id']);
  const events = await readSse(`${stack.url}/v1/images/jobs/${id}/events`, { method: 'GET', headers: auth });
  const partials = events.frames.filter((f) => f.event === 'image.partial');
  assert.ok(partials.length <= 5, `${partials.length} partials kept`);
  assert.ok(!events.raw.includes(small.slice(0, 200)), 'an unforwarded partial keeps no image');
  assert.ok(events.frames.some((f) => f.event === 'job.completed'));
  assert.equal(good.requests, 1);
});

test('endless comments are cut at upstream.max_idle_bytes, long before the deadline', async (t) => {
  const { stack, good } = await pairStack(t, (_req, res) => {
    sse(res);
    const timer = setInterval(() => { if (!res.destroyed) res.write(': still here\n\n'.repeat(50)); }, 5);
    res.on('close', () => clearInterval(timer));
  }, { mode: 'stream', upstream: ', max_idle_bytes: 4096' });
  const started = Date.now();
  const res = await postJson(`${stack.url}/v1/images/generations`, body, auth);
  assert.equal(res.status, 200);
  assert.equal(good.requests, 1);
  assert.ok(Date.now() - started < 5000);
});

test('an error body that trickles forever is read for upstream.error_body_timeout_ms only', async (t) => {
  const { stack, good } = await pairStack(t, (_req, res) => {
    res.writeHead(500, { 'content-type': 'application/json' });
    const timer = setInterval(() => { if (!res.destroyed) res.write(' '); }, 5);
    res.on('close', () => clearInterval(timer));
  });
  const started = Date.now();
  const res = await postJson(`${stack.url}/v1/images/generations`, body, auth);
  assert.equal(res.status, 200);
  assert.equal(good.requests, 1);
  assert.ok(Date.now() - started < 5000);
});

test('a stream whose completed image is not an image is retried on the good deployment', async (t) => {
  const { stack, good } = await pairStack(t, (_req, res) => {
    sse(res);
    res.end(completed(Buffer.from('GIF89a fake').toString('base64')));
  }, { mode: 'stream' });
  const res = await postJson(`${stack.url}/v1/images/generations`, body, auth);
  assert.equal(res.status, 200);
  assert.equal(good.requests, 1);
});
