// Property tests (fast-check): the request intake, the upstream SSE reader and the config loader
// hold for any input, not only the ones someone thought of.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { request } from 'undici';
import { auth, startHardStack } from './harness.js';
import { createSseReader } from '../../src/upstream/bounded-body.js';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/config/config-error.js';

async function post(url: string, body: string | Buffer, contentType: string): Promise<number> {
  const res = await request(url, {
    method: 'POST', headers: { ...auth, 'content-type': contentType, prefer: 'respond-async' }, body,
    headersTimeout: 10_000, bodyTimeout: 10_000,
  });
  await res.body.text();
  return res.statusCode;
}

test('intake: any JSON value gets a 4xx or a job (202), never a 5xx or a hang', async (t) => {
  const stack = await startHardStack(t);
  const fieldValue = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom('1024x1024', 'auto', 'low', 'high', 'png', 'webp', 'jpeg', 'sim', true, 1, 2, 0, -1, ''));
  const imageRequest = fc.record({
    prompt: fc.oneof(fc.string({ maxLength: 50 }), fc.jsonValue({ maxDepth: 2 })),
    model: fc.oneof(fc.constant('sim'), fc.string({ maxLength: 10 })),
    size: fieldValue, quality: fieldValue, n: fieldValue, output_format: fieldValue, stream: fieldValue, partial_images: fieldValue,
  }, { requiredKeys: [] });
  const anyBody = fc.oneof(fc.jsonValue({ maxDepth: 6 }), imageRequest, fc.dictionary(fc.string({ maxLength: 8 }), fieldValue));
  await fc.assert(fc.asyncProperty(anyBody, fc.constantFrom('/v1/images/generations', '/v1/images/edits', '/openai/deployments/sim/images/generations'), async (value, path) => {
    const status = await post(`${stack.url}${path}`, JSON.stringify(value) ?? 'null', 'application/json');
    assert.ok(status === 202 || (status >= 400 && status < 500), `status ${status} for ${JSON.stringify(value)}`);
  }), { numRuns: 150 });
});

test('intake: any byte string sent as JSON or multipart gets a 4xx or a job, never a 5xx or a hang', async (t) => {
  const stack = await startHardStack(t);
  const B = 'pb';
  const partArb = fc.record({
    name: fc.constantFrom('prompt', 'image', 'image[]', 'mask', 'size', 'model', 'n', 'x'),
    filename: fc.option(fc.constantFrom('a.png', 'b.jpg', ''), { nil: undefined }),
    value: fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.constant(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]))),
  });
  const multipart = fc.record({ parts: fc.array(partArb, { maxLength: 5 }), closed: fc.boolean(), cut: fc.nat(400) }).map(({ parts, closed, cut }) => {
    const chunks = parts.map((p) => Buffer.concat([
      Buffer.from(`--${B}\r\ncontent-disposition: form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}\r\n\r\n`),
      Buffer.from(p.value), Buffer.from('\r\n'),
    ]));
    const whole = Buffer.concat([...chunks, Buffer.from(closed ? `--${B}--\r\n` : '')]);
    return cut > 350 ? whole.subarray(0, cut % (whole.length + 1)) : whole;
  });
  await fc.assert(fc.asyncProperty(fc.oneof(
    multipart.map((body) => ({ body, type: `multipart/form-data; boundary=${B}` })),
    fc.uint8Array({ maxLength: 300 }).map((b) => ({ body: Buffer.from(b), type: 'application/json' })),
    fc.uint8Array({ maxLength: 300 }).map((b) => ({ body: Buffer.from(b), type: 'multipart/form-data' })),
  ), async ({ body, type }) => {
    const status = await post(`${stack.url}/v1/images/edits`, body, type);
    assert.ok(status === 202 || (status >= 400 && status < 500), `status ${status}`);
  }), { numRuns: 150 });
});

interface Ev { event?: string; data: string; id?: string }

function encode(events: Ev[]): string {
  return events.map((e) => `${e.event ? `event: ${e.event}\n` : ''}${e.id ? `id: ${e.id}\n` : ''}${e.data.split('\n').map((l) => `data: ${l}`).join('\n')}\n\n`).join(': keepalive\n\n');
}

function readAll(chunks: Uint8Array[], options: { maxEventBytes?: number; maxIdleBytes?: number } = {}): { events: Ev[]; failure?: string } {
  const events: Ev[] = [];
  const reader = createSseReader({
    maxEventBytes: options.maxEventBytes ?? 1 << 20, maxIdleBytes: options.maxIdleBytes ?? 1 << 20,
    onEvent: (e) => { events.push({ event: e.event, data: e.data, id: e.id }); return true; },
  });
  for (const c of chunks) reader.feed(c);
  return { events, failure: reader.failure };
}

function split(bytes: Buffer, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let last = 0;
  for (const p of points) {
    out.push(bytes.subarray(last, p));
    last = p;
  }
  out.push(bytes.subarray(last));
  return out;
}

const eventArb = fc.record({
  event: fc.option(fc.constantFrom('image_generation.partial_image', 'image_generation.completed', 'error', 'ünïcødé'), { nil: undefined }),
  data: fc.string({ unit: 'grapheme', maxLength: 80 }).filter((s) => !s.includes('\r')),
  id: fc.option(fc.stringMatching(/^[a-z0-9]{1,8}$/), { nil: undefined }),
});

test('SSE reader: any chunking of a valid stream (UTF-8 split anywhere) gives the same events', () => {
  fc.assert(fc.property(fc.array(eventArb, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 30 }), (events, cuts) => {
    const bytes = Buffer.from(encode(events));
    const whole = readAll([bytes]);
    const chunked = readAll(split(bytes, cuts));
    assert.deepEqual(chunked, whole);
    assert.equal(whole.events.length, events.length);
    assert.deepEqual(whole.events.map((e) => e.data), events.map((e) => e.data));
  }), { numRuns: 500 });
});

test('SSE reader: any byte string gives events or a clear error, and nothing buffered grows past the bound', () => {
  const maxEventBytes = 256;
  fc.assert(fc.property(fc.uint8Array({ maxLength: 4000 }), fc.array(fc.nat(), { maxLength: 10 }), (bytes, cuts) => {
    const result = readAll(split(Buffer.from(bytes), cuts), { maxEventBytes, maxIdleBytes: 1 << 20 });
    for (const e of result.events) assert.ok(e.data.length <= maxEventBytes, `an event of ${e.data.length} chars passed a ${maxEventBytes} bound`);
    if (result.failure !== undefined) assert.match(result.failure, /larger than 256 bytes|could not be parsed|without progress/);
  }), { numRuns: 500 });
  const endless = readAll([Buffer.from('data: '), ...Array.from({ length: 100 }, () => Buffer.alloc(1000, 0x61))], { maxEventBytes });
  assert.match(endless.failure ?? '', /larger than 256 bytes/);
});

test('config loader: any YAML document gives a config or a ConfigError listing path: reason, nothing else', () => {
  const scalar = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant('env:NOPE'), fc.constant(2 ** 31));
  const keyArb = fc.constantFrom('listen', 'auth', 'store', 'limits', 'upstream', 'jobs', 'retry', 'models', 'deployments', 'webhooks', 'port', 'keys', 'max_depth', 'provider', 'base_url', 'json_max_depth', 'default_deadline_ms', 'x');
  const tree = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(keyArb, tie('node'), { maxKeys: 4 })),
  })).node;
  fc.assert(fc.property(fc.oneof(tree.map((v) => JSON.stringify(v) ?? ''), fc.string({ maxLength: 200 })), (text) => {
    try {
      parseConfig(text, {}, 'fuzz.yaml');
    } catch (error) {
      assert.ok(error instanceof ConfigError, `${(error as Error).name}: ${(error as Error).message}`);
      assert.ok(error.message.length > 0);
    }
  }), { numRuns: 1000 });
});
