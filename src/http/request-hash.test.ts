// The request identity behind Idempotency-Key, as a table: which changes make another request
// (the key is refused with it) and which are delivery options (the key attaches to the same job).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DELIVERY_FIELDS, requestHash, type FileIdentity } from './request-hash.js';

const BASE: Record<string, unknown> = {
  model: 'gpt-image-2', prompt: 'a paper boat', n: 1, size: '1024x1024', quality: 'low', background: 'auto',
  moderation: 'auto', output_format: 'png', output_compression: 100, user: 'u-1', stream: false, partial_images: 0,
};
const FILES: FileIdentity[] = [{ field: 'image[]', digest: 'aa' }, { field: 'image[]', digest: 'bb' }, { field: 'mask', digest: 'cc' }];
const base = requestHash(BASE, FILES);

// [change, fields, files] that make another request.
const OTHER_REQUEST: Array<[string, Record<string, unknown>, FileIdentity[]]> = [
  ['prompt', { ...BASE, prompt: 'a paper plane' }, FILES],
  ['model', { ...BASE, model: 'gpt-image-1' }, FILES],
  ['n', { ...BASE, n: 2 }, FILES],
  ['size', { ...BASE, size: '1536x1024' }, FILES],
  ['quality', { ...BASE, quality: 'high' }, FILES],
  ['background', { ...BASE, background: 'transparent' }, FILES],
  ['moderation', { ...BASE, moderation: 'low' }, FILES],
  ['output_format', { ...BASE, output_format: 'jpeg' }, FILES],
  ['output_compression', { ...BASE, output_compression: 80 }, FILES],
  ['user', { ...BASE, user: 'u-2' }, FILES],
  ['style added', { ...BASE, style: 'vivid' }, FILES],
  ['input_fidelity added', { ...BASE, input_fidelity: 'high' }, FILES],
  ['response_format added', { ...BASE, response_format: 'b64_json' }, FILES],
  ['a field removed (size)', Object.fromEntries(Object.entries(BASE).filter(([k]) => k !== 'size')), FILES],
  ['n as text (multipart) vs number (JSON)', { ...BASE, n: '1' }, FILES],
  ['an image file with other bytes', BASE, [{ field: 'image[]', digest: 'ab' }, FILES[1], FILES[2]]],
  ['the mask with other bytes', BASE, [FILES[0], FILES[1], { field: 'mask', digest: 'cd' }]],
  ['the mask left out', BASE, FILES.slice(0, 2)],
  ['one more image', BASE, [...FILES, { field: 'image[]', digest: 'dd' }]],
  ['the images in another order', BASE, [FILES[1], FILES[0], FILES[2]]],
  ['the same bytes sent as mask instead of image', BASE, [FILES[0], { field: 'mask', digest: 'bb' }, FILES[2]]],
  ['no files at all', BASE, []],
  ['JSON edit images (field, not file)', { ...BASE, images: [{ image_url: 'data:image/png;base64,AAAA' }] }, FILES],
  ['a prompt that only differs by a trailing space', { ...BASE, prompt: 'a paper boat ' }, FILES],
];

for (const [change, fields, files] of OTHER_REQUEST) {
  test(`another request: ${change}`, () => {
    assert.notEqual(requestHash(fields, files), base);
  });
}

// [change, fields, files] that are the same request (how it is delivered, or how it is spelled).
const SAME_REQUEST: Array<[string, Record<string, unknown>, FileIdentity[]]> = [
  ['stream on', { ...BASE, stream: true }, FILES],
  ['stream as multipart text', { ...BASE, stream: 'true' }, FILES],
  ['partial_images 3', { ...BASE, partial_images: 3 }, FILES],
  ['stream and partial_images left out', Object.fromEntries(Object.entries(BASE).filter(([k]) => !DELIVERY_FIELDS.has(k))), FILES],
  ['the fields in another order', Object.fromEntries(Object.entries(BASE).reverse()), FILES],
  ['the same files as fresh objects', { ...BASE }, FILES.map((f) => ({ ...f }))],
];

for (const [change, fields, files] of SAME_REQUEST) {
  test(`same request: ${change}`, () => {
    assert.equal(requestHash(fields, files), base);
  });
}

test('the delivery options are exactly stream and partial_images', () => {
  assert.deepEqual([...DELIVERY_FIELDS].sort(), ['partial_images', 'stream']);
});

test('the hash is a sha256 hex digest and stable across calls', () => {
  assert.match(base, /^[0-9a-f]{64}$/);
  assert.equal(requestHash({ ...BASE }, [...FILES]), base);
  // A value that only looks like another field's name cannot collide with it.
  assert.notEqual(requestHash({ a: 'b' }, []), requestHash({ b: 'a' }, []));
  assert.notEqual(requestHash({ a: 1 }, []), requestHash({}, [{ field: 'a', digest: '1' }]));
});
