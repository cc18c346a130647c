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
