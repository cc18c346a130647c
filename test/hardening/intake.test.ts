// Hostile requests: every one gets an OpenAI-shaped 4xx early, and holdfast keeps serving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { auth, CLIENT_KEY, startHardStack } from './harness.js';
import { head, rawConnect } from './raw-http.js';
import { postJson } from '../helpers/sse.js';
import { parseConfig } from '../../src/config/load.js';

const gen = '/v1/images/generations';

async function healthy(url: string): Promise<boolean> {
  const res = await request(`${url}/healthz`);
  await res.body.text();
  return res.statusCode === 200;
}

test('a deeply nested JSON body is refused with 400 invalid_json, at any depth, and nothing is stored', async (t) => {
  const stack = await startHardStack(t);
  for (const depth of [40, 5_000, 200_000]) {
    const body = `{"prompt":"x","extra":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const res = await request(`${stack.url}${gen}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body });
    const answer = await res.body.json() as { error: { code: string } };
    assert.equal(res.statusCode, depth > 32 ? (body.length > 1_048_576 ? 413 : 400) : 202, `depth ${depth}`);
    assert.ok(['invalid_json', 'upload_too_large'].includes(answer.error.code));
  }
  const ok = await postJson(`${stack.url}${gen}`, { prompt: 'fine', extra: [[[[1]]]], size: '1024x1024', quality: 'low' }, { ...auth, prefer: 'respond-async' });
  assert.equal(ok.status, 202, 'shallow nesting is accepted');
});

test('without a key, a 400 MB body is refused with 401 before holdfast reads it, and the connection is closed', async (t) => {
  const stack = await startHardStack(t);
  const rssBefore = process.memoryUsage().rss;
  const conns = await Promise.all([0, 1, 2, 3].map(() => rawConnect(stack.url)));
  for (const c of conns) {
    c.write(head(gen, { 'content-type': 'application/json', 'content-length': String(400 * 1024 * 1024) }));
    c.write(`{"prompt":"${'a'.repeat(1024 * 1024)}`);
  }
  for (const c of conns) {
    const res = await c.response();
    assert.equal(res?.status, 401);
    assert.equal(JSON.parse(res.body).error.code, 'invalid_api_key');
    assert.equal(res.headers.connection, 'close');
    await c.closed;
  }
  assert.ok(process.memoryUsage().rss - rssBefore < 200 * 1024 * 1024, 'the bodies were not buffered');
  assert.ok(await healthy(stack.url));
});

test('a JSON generation body over limits.json_body_bytes is refused with 413 without being parsed', async (t) => {
  const stack = await startHardStack(t, { sections: 'limits: { json_body_bytes: 200000 }' });
  const res = await postJson(`${stack.url}${gen}`, { prompt: 'p'.repeat(300_000) }, auth);
  assert.equal(res.status, 413);
  assert.equal((res.json.error as Record<string, unknown>).code, 'upload_too_large');
});

test('a prompt over limits.max_prompt_chars is refused even for a model holdfast has no rules for', async (t) => {
  const stack = await startHardStack(t, {
    sections: 'limits: { max_prompt_chars: 1000 }',
    models: '  custom: { deployments: [custom] }',
    deployments: '  custom: { provider: openai, base_url: "http://127.0.0.1:9/v1", api_key: env:UPSTREAM_KEY, model: my-own-model }',
  });
  const res = await postJson(`${stack.url}${gen}`, { model: 'custom', prompt: 'p'.repeat(1001) }, auth);
  assert.equal(res.status, 400);
  assert.equal((res.json.error as Record<string, unknown>).param, 'prompt');
});

test('a body that stalls is answered 408 request_timeout after limits.body_idle_timeout_ms and its socket closed; /healthz keeps answering', async (t) => {
  const stack = await startHardStack(t, { sections: 'limits: { body_idle_timeout_ms: 300, request_timeout_ms: 60000 }' });
  const conns = await Promise.all(Array.from({ length: 20 }, () => rawConnect(stack.url)));
  const started = Date.now();
  for (const c of conns) {
    c.write(head(gen, { ...auth, 'content-type': 'application/json', 'content-length': '1000' }));
    c.write('{"prompt":"never finished');
  }
  for (const c of conns) {
    const res = await c.response(5000);
    assert.equal(res?.status, 408);
    assert.equal(JSON.parse(res.body).error.code, 'request_timeout');
    await c.closed;
  }
  assert.ok(Date.now() - started < 4000);
  assert.ok(await healthy(stack.url));
});

test('a body that trickles forever is answered 408 after limits.request_timeout_ms', async (t) => {
  const stack = await startHardStack(t, { sections: 'limits: { body_idle_timeout_ms: 5000, request_timeout_ms: 600 }' });
  const c = await rawConnect(stack.url);
  c.write(head(gen, { ...auth, 'content-type': 'application/json', 'content-length': '100000' }));
  const drip = setInterval(() => c.write(' '), 50);
  t.after(() => clearInterval(drip));
  const res = await c.response(5000);
  clearInterval(drip);
  assert.equal(res?.status, 408);
  assert.match(JSON.parse(res.body).error.message, /request_timeout_ms/);
});

test('connections beyond limits.max_connections_per_address are closed at once; the others are served', async (t) => {
  const stack = await startHardStack(t, { sections: 'limits: { max_connections_per_address: 5 }' });
  const held = await Promise.all(Array.from({ length: 5 }, () => rawConnect(stack.url)));
  const extra = await rawConnect(stack.url);
  await extra.closed;
  held[0].write(`GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n`);
  assert.equal((await held[0].response())?.status, 200);
  for (const c of held) c.socket.destroy();
  await Promise.all(held.map((c) => c.closed));
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(await healthy(stack.url));
});

test('a Holdfast-Deadline-Ms of 2^31 or more is refused with 400, and such a config is refused at load', async (t) => {
  const stack = await startHardStack(t);
  const res = await postJson(`${stack.url}${gen}`, { prompt: 'a', size: '1024x1024', quality: 'low' }, { ...auth, 'holdfast-deadline-ms': String(2 ** 31) });
  assert.equal(res.status, 400);
  assert.equal((res.json.error as Record<string, unknown>).param, 'Holdfast-Deadline-Ms');
  const fine = await postJson(`${stack.url}${gen}`, { prompt: 'a', size: '1024x1024', quality: 'low' }, { ...auth, 'holdfast-deadline-ms': '600000' });
  assert.equal(fine.status, 200);
  assert.throws(() => parseConfig('jobs: { default_deadline_ms: 2147483648 }\nmodels: {}\ndeployments: {}\n', {}), /default_deadline_ms/);
});

test('the same Idempotency-Key and body on another endpoint or Azure path is refused with 422, not attached', async (t) => {
  const stack = await startHardStack(t, {
    models: '  other: { deployments: [sim2] }',
    deployments: `  sim2: { provider: openai, base_url: "http://127.0.0.1:9/v1", api_key: env:UPSTREAM_KEY, model: gpt-image-2 }`,
  });
  const body = { prompt: 'same', size: '1024x1024', quality: 'low' };
  const headers = { ...auth, 'idempotency-key': 'k-1', prefer: 'respond-async' };
  const first = await postJson(`${stack.url}/openai/deployments/sim/images/generations?api-version=2025-04-01-preview`, body, headers);
  assert.equal(first.status, 202);
  const again = await postJson(`${stack.url}/openai/deployments/sim/images/generations?api-version=2025-04-01-preview`, body, headers);
  assert.equal(again.headers['holdfast-job-id'], first.headers['holdfast-job-id'], 'the same path attaches');
  const otherPath = await postJson(`${stack.url}/openai/deployments/other/images/generations?api-version=2025-04-01-preview`, body, headers);
  assert.equal(otherPath.status, 422);
  const otherEndpoint = await postJson(`${stack.url}/v1/images/edits`, body, headers);
  assert.equal(otherEndpoint.status, 422);
});

test('at trace level, the client key appears in no log line (multipart logs its options with the headers)', async (t) => {
  const stack = await startHardStack(t, { trace: true });
  const form = new FormData();
  form.append('prompt', 'x');
  form.append('image', new Blob([Buffer.from('not an image')], { type: 'image/png' }), 'a.png');
  const res = await fetch(`${stack.url}/v1/images/edits`, { method: 'POST', headers: auth, body: form });
  assert.equal(res.status, 400);
  assert.ok(stack.logLines.some((l) => l.includes('busboy')), 'the multipart trace line was logged');
  assert.ok(!stack.logLines.some((l) => l.includes(CLIENT_KEY)));
});
