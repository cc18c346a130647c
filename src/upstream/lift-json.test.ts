// The lifting parser gives exactly JSON.parse's value, for bytes and text, with big base64 fields,
// escapes, unicode around them, keys inside other strings, and bodies that are not JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liftStrings, parseJsonLifting } from './lift-json.js';

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
    // Not base64, but JSON: from bytes, a long string with UTF-8 in it must not be read as latin1.
    JSON.stringify({ data: [{ b64_json: `${big}é☕` }, { b64_json: big }] }),
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

test('the long strings are cut out: what JSON.parse is left with is the envelope only', () => {
  const body = JSON.stringify({ created: 1, data: [{ b64_json: big }, { b64_json: big }], size: '1024x1024' });
  for (const source of [body, Buffer.from(body)]) {
    const { rest, lifted } = liftStrings(source);
    assert.equal(lifted.length, 2);
    assert.ok(rest.length < 200, rest);
    assert.deepEqual(JSON.parse(rest), { created: 1, data: [{ b64_json: '\u0000holdfast-lifted:0' }, { b64_json: '\u0000holdfast-lifted:1' }], size: '1024x1024' });
  }
});
