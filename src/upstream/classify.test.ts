// The error classifier, table-driven: every status and error body of wire-format §5, every in-band
// error frame of §4.4, and the design's retry table (design.md, "Error classification") checked
// through decideRetry, so a wrong kind fails as a wrong retry decision too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FailureKind } from '../engine/job.js';
import { decideRetry } from '../engine/retry-policy.js';
import { createSeededRandom } from '../time/random.js';
import { failureFromStatus, failureFromStreamError, isContentPolicy, kindOfStatus } from './classify.js';

type Retried = 'yes' | 'no' | 'elsewhere';

/** What decideRetry makes of a kind, first with another deployment left, then without. */
function retried(kind: FailureKind): Retried {
  const options = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 };
  const ctx = { attempt: 1, now: 0, deadlineAt: 1_000_000 };
  const random = createSeededRandom(7);
  const withOther = decideRetry(kind, { ...ctx, untriedDeploymentLeft: true }, options, random).retry;
  const alone = decideRetry(kind, { ...ctx, untriedDeploymentLeft: false }, options, random).retry;
  if (withOther && alone) return 'yes';
  if (withOther) return 'elsewhere';
  assert.equal(alone, false);
  return 'no';
}

const openai = (message: string, type: string | null, code: string | null, param: string | null = null): unknown => ({ error: { message, type, param, code } });

// [situation, status, body, kind, retried] — §5.2 (OpenAI), §5.3 (Azure), §5.4 (APIM), §9 (fronts).
const STATUS_TABLE: Array<[string, number, unknown, FailureKind, Retried]> = [
  ['400 unknown_parameter response_format', 400, openai("Unknown parameter: 'response_format'.", 'invalid_request_error', 'unknown_parameter', 'response_format'), 'bad_request', 'no'],
  ['400 size not divisible by 16', 400, { error: { message: "Invalid size '1792x936'. Width and height must both be divisible by 16." } }, 'bad_request', 'no'],
  ['400 non-WxH size', 400, openai("Invalid size '9:16'. Expected WIDTHxHEIGHT, for example '1824x1024'.", 'image_generation_user_error', 'invalid_value', 'tools'), 'bad_request', 'no'],
  ['400 size not in enum', 400, { error: { message: "Invalid value: '1254x836'. Supported values are: '1024x1024', '1024x1536', '1536x1024', and 'auto'." } }, 'bad_request', 'no'],
  ['400 moderation_blocked', 400, { error: { message: 'Your request was rejected by the safety system.', type: 'image_generation_user_error', param: null, code: 'moderation_blocked', moderation_details: { moderation_stage: 'output', categories: ['sexual'] } } }, 'content_policy', 'no'],
  ['400 content_policy_violation', 400, openai('Your request was rejected as a result of our safety system.', 'invalid_request_error', 'content_policy_violation'), 'content_policy', 'no'],
  ['401 invalid_api_key', 401, openai('Incorrect API key provided: sk-...', 'invalid_request_error', 'invalid_api_key'), 'auth', 'elsewhere'],
  ['403 organization not verified', 403, openai('Your organization must be verified to use the model `gpt-image-1`.', 'invalid_request_error', null), 'auth', 'elsewhere'],
  ['403 unsupported country', 403, undefined, 'auth', 'elsewhere'],
  ['404 model_not_found', 404, openai("The model 'dall-e-2' does not exist.", 'invalid_request_error', 'model_not_found'), 'not_found', 'elsewhere'],
  ['429 rate_limit_exceeded', 429, { error: { code: 'rate_limit_exceeded', message: 'Rate limit exceeded for images per minute.' } }, 'rate_limited', 'yes'],
  ['429 insufficient_quota', 429, openai('You exceeded your current quota.', 'insufficient_quota', 'insufficient_quota'), 'rate_limited', 'yes'],
  ['500 server_error', 500, openai('The server had an error while processing your request.', 'server_error', 'server_error'), 'server_error', 'yes'],
  ['503 overloaded', 503, openai('The server is overloaded or not ready yet.', 'server_error', 'service_unavailable'), 'server_error', 'yes'],
  ['502 from a load balancer (HTML)', 502, undefined, 'server_error', 'yes'],
  ['504 from a front', 504, undefined, 'server_error', 'yes'],
  ['408 APIM timeout', 408, { statusCode: 408, message: 'Request timeout.' }, 'idle_timeout', 'yes'],
  ['Azure 400 contentFilter', 400, { created: 1698435368, error: { code: 'contentFilter', message: 'Your task failed as a result of our safety system.' } }, 'content_policy', 'no'],
  ['Azure 400 nested ResponsibleAIPolicyViolation', 400, { error: { code: 'content_policy_violation', type: 'invalid_request_error', message: 'Your request was rejected.', inner_error: { code: 'ResponsibleAIPolicyViolation', content_filter_results: { violence: { filtered: true, severity: 'low' } } } } }, 'content_policy', 'no'],
  ['Azure 400 inner code only (inner_error)', 400, { error: { code: 'BadRequest', message: 'x', inner_error: { code: 'ResponsibleAIPolicyViolation' } } }, 'content_policy', 'no'],
  ['Azure 400 inner code only (innererror)', 400, { error: { code: 'BadRequest', message: 'x', innererror: { code: 'ResponsibleAIPolicyViolation' } } }, 'content_policy', 'no'],
  ['Azure 400 content_filter (prompt)', 400, { error: { code: 'content_filter', param: 'prompt', message: 'The response was filtered.' } }, 'content_policy', 'no'],
  ['Azure 404 DeploymentNotFound', 404, { error: { code: 'DeploymentNotFound', message: 'The API deployment for this resource does not exist.' } }, 'not_found', 'elsewhere'],
  ['Azure 401 bad key', 401, { error: { code: '401', message: 'Access denied due to invalid subscription key or wrong API endpoint.' } }, 'auth', 'elsewhere'],
  ['Azure 429 with Retry-After', 429, { error: { code: '429', message: 'Requests to the Images_Generations_Create Operation ... Please retry after 12 seconds.' } }, 'rate_limited', 'yes'],
  ['Azure 400 missing api-version', 400, { error: { code: 'BadRequest', message: 'Missing API version parameter.' } }, 'bad_request', 'no'],
  ['APIM 401 SubscriptionKeyInvalid', 401, { statusCode: 401, message: 'Access denied due to invalid subscription key.' }, 'auth', 'elsewhere'],
  ['APIM 404 OperationNotFound', 404, { statusCode: 404, message: 'Unable to match incoming request to an operation.' }, 'not_found', 'elsewhere'],
  ['APIM 429 RateLimitExceeded', 429, { statusCode: 429, message: 'Rate limit is exceeded. Try again in 5 seconds.' }, 'rate_limited', 'yes'],
  ['APIM 403 token quota', 403, { statusCode: 403, message: 'Out of token quota.' }, 'auth', 'elsewhere'],
  ['APIM 500 BackendConnectionFailure', 500, { statusCode: 500, message: 'Internal server error' }, 'server_error', 'yes'],
  ['a 400 with a body that is not JSON', 400, undefined, 'bad_request', 'no'],
  ['a 422 (other 4xx)', 422, openai('Unprocessable.', 'invalid_request_error', null), 'bad_request', 'no'],
  ['a 599 (any 5xx)', 599, undefined, 'server_error', 'yes'],
];

for (const [situation, status, body, kind, expectRetry] of STATUS_TABLE) {
  test(`status: ${situation} → ${kind}, retried: ${expectRetry}`, () => {
    assert.equal(kindOfStatus(status, body), kind);
    const failure = failureFromStatus(status, body, 1234);
    assert.equal(failure.kind, kind);
    assert.equal(failure.status, status);
    assert.equal(failure.retryAfterMs, 1234);
    assert.equal(failure.partialsReceived, 0);
    assert.equal(retried(failure.kind), expectRetry);
  });
}

test('the design retry table, row by row', () => {
  // connection refused / reset before any event (send.ts reports these as `connect`), and a cut stream.
  assert.equal(retried('connect'), 'yes');
  assert.equal(retried('stream_error'), 'yes');
  assert.equal(retried('idle_timeout'), 'yes');
  for (const status of [500, 502, 503, 504]) assert.equal(retried(kindOfStatus(status, undefined)), 'yes', String(status));
  assert.equal(retried(kindOfStatus(429, undefined)), 'yes');
  assert.equal(retried(kindOfStatus(408, undefined)), 'yes');
  assert.equal(retried(kindOfStatus(400, undefined)), 'no');
  for (const status of [401, 403, 404]) assert.equal(retried(kindOfStatus(status, undefined)), 'elsewhere', String(status));
  for (const kind of ['deadline', 'cancelled', 'no_capacity'] as const) assert.equal(retried(kind), 'no', kind);
});

test('a failure keeps the upstream message and body, and says so when there is none', () => {
  const body = openai('Rate limit exceeded.', 'requests', 'rate_limit_exceeded');
  const failure = failureFromStatus(429, body, 7000);
  assert.deepEqual(failure, { kind: 'rate_limited', status: 429, message: 'Rate limit exceeded.', body, retryAfterMs: 7000, partialsReceived: 0 });
  const bare = failureFromStatus(502, '<html>bad gateway</html>', undefined);
  assert.equal(bare.message, 'Upstream answered HTTP 502.');
  assert.equal(bare.body, undefined);
  assert.equal(failureFromStatus(500, { error: { message: 42 } }, undefined).message, 'Upstream answered HTTP 500.');
  assert.equal(failureFromStatus(500, { error: 'text' }, undefined).message, 'Upstream answered HTTP 500.');
});

test('content policy is read from the code or the inner code, never from other fields', () => {
  assert.equal(isContentPolicy({ error: { code: 'moderation_blocked' } }), true);
  assert.equal(isContentPolicy({ error: { code: 'x', inner_error: { code: 'content_filter' } } }), true);
  assert.equal(isContentPolicy({ error: { code: 'x', innererror: { code: 'contentFilter' } } }), true);
  assert.equal(isContentPolicy({ error: { code: 'x', message: 'moderation_blocked', inner_error: { code: 'y' } } }), false);
  assert.equal(isContentPolicy({ error: { code: 'x', inner_error: 'content_filter' } }), false);
  assert.equal(isContentPolicy({ code: 'moderation_blocked' }), false);
  assert.equal(isContentPolicy(undefined), false);
});

// In-band `error` frames (wire-format §4.4 and the design's "SSE error event" row): [what, data, kind].
const FRAME_TABLE: Array<[string, unknown, FailureKind]> = [
  ['the canonical seed frame (type server_error, code null)', { type: 'error', error: { type: 'server_error', code: null, message: 'An error occurred while processing your request.', param: null }, sequence_number: 2 }, 'stream_error'],
  ['the edits seed frame (type image_generation_server_error, code image_generation_failed)', { type: 'error', error: { type: 'image_generation_server_error', code: 'image_generation_failed', message: 'Image generation failed', param: null }, sequence_number: 0 }, 'stream_error'],
  ['the kind in the code only', { type: 'error', error: { type: null, code: 'image_generation_server_error', message: 'failed', param: null } }, 'stream_error'],
  ['the kind in the code, another word in the type', { type: 'error', error: { type: 'upstream_error', code: 'server_error', message: 'failed', param: null } }, 'stream_error'],
  ['the kind in the type, another word in the code', { type: 'error', error: { type: 'server_error', code: 'internal', message: 'failed', param: null } }, 'stream_error'],
  ['a Responses-style frame (type and code server_error)', { type: 'error', error: { type: 'server_error', code: 'server_error', message: 'An error occurred while processing your request.' }, sequence_number: 2 }, 'stream_error'],
  ['a flat ErrorEvent (SPEC `Error` as data)', { code: 'server_error', message: 'boom', param: null, type: 'server_error' }, 'stream_error'],
  ['a flat frame of type error naming nothing else', { type: 'error', message: 'boom' }, 'stream_error'],
  ['a frame naming no kind at all', { error: { message: 'something broke' } }, 'stream_error'],
  ['data that is not JSON', undefined, 'stream_error'],
  ['an invalid request reported in-band', { type: 'error', error: { type: 'invalid_request_error', code: 'invalid_value', message: 'bad size', param: 'size' } }, 'bad_request'],
  ['an invalid request reported by type only', { type: 'error', error: { type: 'invalid_request_error', code: null, message: 'bad', param: null } }, 'bad_request'],
  ['a user error reported by code only', { type: 'error', error: { code: 'invalid_value', message: 'bad', param: null } }, 'bad_request'],
  ['a safety refusal in-band (code)', { type: 'error', error: { type: 'image_generation_user_error', code: 'moderation_blocked', message: 'Your request was rejected by the safety system.', param: null } }, 'content_policy'],
  ['a safety refusal in-band (type only)', { type: 'error', error: { type: 'content_filter', code: null, message: 'Generated image was filtered.', param: null } }, 'content_policy'],
];

for (const [what, data, kind] of FRAME_TABLE) {
  test(`stream error frame: ${what} → ${kind}`, () => {
    const failure = failureFromStreamError(data, 2);
    assert.equal(failure.kind, kind);
    assert.equal(failure.partialsReceived, 2);
    assert.equal(failure.status, kind === 'stream_error' ? undefined : 400);
    assert.equal(retried(failure.kind), kind === 'stream_error' ? 'yes' : 'no');
  });
}

test('a stream error keeps the upstream message and its kind in the OpenAI envelope', () => {
  const edit = failureFromStreamError({ type: 'error', error: { type: 'image_generation_server_error', code: 'image_generation_failed', message: 'Image generation failed', param: null }, sequence_number: 0 }, 0);
  assert.deepEqual(edit.body, { error: { message: 'Image generation failed', type: 'image_generation_server_error', param: null, code: 'image_generation_failed' } });
  assert.equal(edit.message, 'Image generation failed');
  const seed = failureFromStreamError({ type: 'error', error: { type: 'server_error', code: null, message: 'An error occurred while processing your request.', param: null } }, 1);
  assert.deepEqual(seed.body, { error: { message: 'An error occurred while processing your request.', type: 'server_error', param: null, code: 'server_error' } });
  const refusal = failureFromStreamError({ error: { type: 'image_generation_user_error', code: 'moderation_blocked', message: 'Rejected.' } }, 0);
  assert.deepEqual(refusal, { kind: 'content_policy', status: 400, message: 'Rejected.', partialsReceived: 0, body: { error: { message: 'Rejected.', type: 'image_generation_user_error', param: null, code: 'moderation_blocked' } } });
  const nameless = failureFromStreamError({}, 0);
  assert.equal(nameless.message, 'The upstream stream reported an error.');
  assert.deepEqual(nameless.body, { error: { message: 'The upstream stream reported an error.', type: 'server_error', param: null, code: 'server_error' } });
  const bad = failureFromStreamError({ error: { type: 'invalid_request_error', code: 'invalid_value', message: 'bad size' } }, 0);
  assert.deepEqual(bad.body, { error: { message: 'bad size', type: 'invalid_request_error', param: null, code: 'invalid_value' } });
});

test('a redirect or another non-error status is an invalid upstream answer, retried elsewhere, never relayed', () => {
  assert.equal(kindOfStatus(302, undefined), 'server_error');
  assert.equal(kindOfStatus(204, undefined), 'server_error');
  assert.equal(kindOfStatus(399, undefined), 'server_error');
  assert.equal(kindOfStatus(400, undefined), 'bad_request');
  const message = 'The upstream answered HTTP 302, which is not an images response (redirects are not followed).';
  assert.deepEqual(failureFromStatus(302, { error: { message: 'moved', code: 'content_filter' } }, 5_000), {
    kind: 'server_error', status: 302, message, partialsReceived: 0,
    body: { error: { message, type: 'server_error', param: null, code: 'upstream_invalid_response' } },
  });
});

test('in-band frames whose type or code is null name no kind: an upstream failure, retried', () => {
  for (const error of [{ type: null, code: null, message: 'x' }, { type: null, message: 'x' }, { code: null, message: 'x' }, { type: 7, code: 8, message: 'x' }]) {
    const failure = failureFromStreamError({ type: 'error', error }, 0);
    assert.equal(failure.kind, 'stream_error', JSON.stringify(error));
    assert.deepEqual(failure.body, { error: { message: 'x', type: 'server_error', param: null, code: 'server_error' } });
  }
});

test('a safety refusal named only by the type is content policy whatever the code says', () => {
  const failure = failureFromStreamError({ type: 'error', error: { type: 'content_policy_violation', code: 'image_filtered', message: 'Filtered.' } }, 1);
  assert.deepEqual([failure.kind, failure.status, failure.partialsReceived], ['content_policy', 400, 1]);
  assert.deepEqual(failure.body, { error: { message: 'Filtered.', type: 'content_policy_violation', param: null, code: 'image_filtered' } });
});
