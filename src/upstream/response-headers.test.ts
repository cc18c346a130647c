import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGoDurationMs, parseRetryAfterMs, readIds, readRateLimit } from './response-headers.js';

test("OpenAI's Go-style reset durations and plain seconds become milliseconds", () => {
  assert.equal(parseGoDurationMs('6m0s'), 360_000);
  assert.equal(parseGoDurationMs('1.5s'), 1_500);
  assert.equal(parseGoDurationMs('12ms'), 12);
  assert.equal(parseGoDurationMs('2'), 2_000);
  assert.equal(parseGoDurationMs('soon'), undefined);
});

test('rate-limit headers, request ids and retry-after are read from a response head', () => {
  assert.deepEqual(readRateLimit({ 'x-ratelimit-limit-requests': '10', 'x-ratelimit-remaining-requests': '3', 'x-ratelimit-reset-requests': '6s' }),
    { limitRequests: 10, remainingRequests: 3, resetRequestsMs: 6_000 });
  assert.equal(readRateLimit({ 'content-type': 'application/json' }), undefined);
  assert.deepEqual(readIds({ 'x-request-id': 'req_1', 'apim-request-id': 'a-1', other: 'x' }), { 'x-request-id': 'req_1', 'apim-request-id': 'a-1' });
  assert.equal(parseRetryAfterMs({ 'retry-after-ms': '250', 'retry-after': '9' }, 0), 250);
  assert.equal(parseRetryAfterMs({ 'retry-after': '2' }, 0), 2_000);
  assert.equal(parseRetryAfterMs({}, 0), undefined);
});

const NOW = Date.parse('2026-12-01T12:00:00Z');

// [headers, expected ms] — wire-format §8.2: retry-after-ms first, then retry-after as seconds, then as an HTTP date.
const RETRY_AFTER_TABLE: Array<[string, Record<string, string | string[] | undefined>, number | undefined]> = [
  ['none', {}, undefined],
  ['retry-after-ms', { 'retry-after-ms': '1500' }, 1500],
  ['retry-after-ms 0', { 'retry-after-ms': '0' }, 0],
  ['retry-after-ms fractional', { 'retry-after-ms': '250.5' }, 250.5],
  ['retry-after-ms wins over retry-after', { 'retry-after-ms': '800', 'retry-after': '30' }, 800],
  ['a bad retry-after-ms falls back to retry-after', { 'retry-after-ms': 'soon', 'retry-after': '3' }, 3000],
  ['a negative retry-after-ms falls back to retry-after', { 'retry-after-ms': '-5', 'retry-after': '2' }, 2000],
  ['an empty retry-after-ms falls back to retry-after', { 'retry-after-ms': '', 'retry-after': '4' }, 4000],
  ['retry-after seconds', { 'retry-after': '12' }, 12_000],
  ['retry-after 0 seconds', { 'retry-after': '0' }, 0],
  ['retry-after fractional seconds', { 'retry-after': '1.5' }, 1500],
  ['retry-after as an HTTP date', { 'retry-after': 'Tue, 01 Dec 2026 12:00:30 GMT' }, 30_000],
  ['retry-after as a past HTTP date', { 'retry-after': 'Tue, 01 Dec 2026 11:59:00 GMT' }, 0],
  ['retry-after garbage', { 'retry-after': 'later' }, undefined],
  ['retry-after negative seconds is not a date either', { 'retry-after': '-3' }, undefined],
  ['a repeated header: the first value counts', { 'retry-after-ms': ['700', '900'] }, 700],
  ['a repeated retry-after: the first value counts', { 'retry-after': ['5', '9'] }, 5000],
];

for (const [what, headers, expected] of RETRY_AFTER_TABLE) {
  test(`retry-after: ${what}`, () => {
    assert.equal(parseRetryAfterMs(headers, NOW), expected);
  });
}
