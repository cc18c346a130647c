// The lifting parser gives exactly JSON.parse's value, for bytes and text, with big base64 fields,
// escapes, unicode around them, keys inside other strings, and bodies that are not JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonLifting } from './lift-json.js';

const big = Buffer.alloc(30_000, 7).toString('base64');

test('bytes and text parse to what JSON.parse gives, big images lifted or not', () => {
  const bodies = [
    JSON.stringify({ created: 1, data: [{ b64_json: big, revised_prompt: 'un café ☕' }, { b64_json: `${big}AAAA` }], output_format: 'png' }),
    `{ "data" : [ { "b64_json"\n:\t"${big}" } ], "size": "1024x1024" }`,
    JSON.stringify({ data: [{ b64_json: 'short' }] }),
    JSON.stringify({ data: [{ b64_json: `${big}\\u0041` }] }),
    JSON.stringify({ note: `says "b64_json":"${big}" inside`, data: [{ b64_json: big }] }),
    JSON.stringify({ type: 'image_generation.completed', b64_json: big, usage: { total_tokens: 3 } }),
    JSON.stringify({ data: [{ b64_json: '\u0000holdfast-lifted:0' }, { b64_json: big }] }),
  ];
  for (const body of bodies) {
    const want: unknown = JSON.parse(body);
    assert.deepEqual(parseJsonLifting(body), want);
    assert.deepEqual(parseJsonLifting(Buffer.from(body)), want);
  }
});

test('a body that is not JSON is undefined, however it is cut', () => {
  for (const body of [`{"data":[{"b64_json":"${big}"}]`, `{"data":[{"b64_json":"${big}`, 'not json', '']) {
    assert.equal(parseJsonLifting(body), undefined);
    assert.equal(parseJsonLifting(Buffer.from(body)), undefined);
  }
});
