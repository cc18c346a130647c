// Text in pieces: base64 of any chunking equals Buffer's base64, and JSON filled in pieces parses to
// the value with the fills in place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base64Pieces, FILL_PLACEHOLDER, jsonWithFills } from './text-pieces.js';

async function* chunks(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function text(pieces: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const piece of pieces) out += piece;
  return out;
}

test('base64 in pieces equals the whole base64, for every chunk size and length', async () => {
  for (let length = 0; length < 20; length += 1) {
    const bytes = Buffer.from(Array.from({ length }, (_, i) => (i * 37 + 11) % 256));
    for (const size of [1, 2, 3, 4, 5, 7, 64]) assert.equal(await text(base64Pieces(chunks(bytes, size))), bytes.toString('base64'), `${length}/${size}`);
  }
});

test('JSON with fills parses to the value with each placeholder filled, in order; other fields untouched', async () => {
  const a = Buffer.from('first image bytes');
  const b = Buffer.from('second!');
  const value = { created: 1, data: [{ b64_json: FILL_PLACEHOLDER }, { url: 'http://x/"b64_json":""' }, { b64_json: FILL_PLACEHOLDER, revised_prompt: 'q' }], note: 'b64_json' };
  const out = await text(jsonWithFills(value, 'b64_json', [() => base64Pieces(chunks(a, 4)), () => base64Pieces(chunks(b, 5))])());
  assert.deepEqual(JSON.parse(out), { ...value, data: [{ b64_json: a.toString('base64') }, value.data[1], { b64_json: b.toString('base64'), revised_prompt: 'q' }] });
  assert.equal(await text(jsonWithFills({ x: 1 }, 'b64_json', [])()), '{"x":1}');
  await assert.rejects(text(jsonWithFills({ x: 1 }, 'b64_json', [() => base64Pieces(chunks(a, 4))])()), /fewer placeholders/);
});
