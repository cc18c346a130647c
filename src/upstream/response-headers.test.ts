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

test('retry-after edge forms: blanks, whitespace, a date with digits at either end, a number with a sign', () => {
  assert.equal(parseRetryAfterMs({ 'retry-after': '   ' }, NOW), undefined, 'blank is absent');
  assert.equal(parseRetryAfterMs({ 'retry-after-ms': '  ', 'retry-after': ' 7 ' }, NOW), 7_000, 'blank ms falls back; values are trimmed');
  assert.equal(parseRetryAfterMs({ 'retry-after': '2026-12-01T12:00:30.000+00:00' }, NOW), 30_000, 'a date that starts and ends with digits is still a date');
  assert.equal(parseRetryAfterMs({ 'retry-after': '+5' }, NOW), 5_000);
  assert.equal(parseRetryAfterMs({ 'retry-after': '1-2' }, NOW), undefined, 'numeric characters that are no number');
  assert.equal(parseRetryAfterMs({ 'retry-after': [] }, NOW), undefined);
  assert.equal(parseRetryAfterMs({ 'retry-after-ms': 'Infinity' }, NOW), undefined);
});

test('reset durations: units in any order and combination, and what is not a duration', () => {
  assert.equal(parseGoDurationMs('1h2m3s4ms'), 3_723_004);
  assert.equal(parseGoDurationMs('2m'), 120_000);
  assert.equal(parseGoDurationMs('1h'), 3_600_000);
  assert.equal(parseGoDurationMs('0.5ms'), 0.5);
  assert.equal(parseGoDurationMs('1.25s'), 1_250, 'more than one decimal');
  assert.equal(parseGoDurationMs('1.5'), 1_500);
  assert.equal(parseGoDurationMs('6s and more'), undefined, 'trailing text');
  assert.equal(parseGoDurationMs('x6s'), undefined, 'leading text');
  assert.equal(parseGoDurationMs('6 s'), undefined);
});

test('rate-limit headers: each alone, bad numbers dropped, a repeated reset ignored; ids only as single strings', () => {
  assert.deepEqual(readRateLimit({ 'x-ratelimit-remaining-requests': '0' }), { limitRequests: undefined, remainingRequests: 0, resetRequestsMs: undefined });
  assert.deepEqual(readRateLimit({ 'x-ratelimit-limit-requests': '60' }), { limitRequests: 60, remainingRequests: undefined, resetRequestsMs: undefined });
  assert.deepEqual(readRateLimit({ 'x-ratelimit-reset-requests': '1s' }), { limitRequests: undefined, remainingRequests: undefined, resetRequestsMs: 1_000 });
  assert.equal(readRateLimit({ 'x-ratelimit-limit-requests': 'lots', 'x-ratelimit-reset-requests': ['1s', '2s'] }), undefined);
  assert.deepEqual(readIds({ 'x-request-id': ['a', 'b'], 'x-ms-region': 'Sweden Central', 'request-id': 'r-1' }), { 'x-ms-region': 'Sweden Central', 'request-id': 'r-1' });
});
