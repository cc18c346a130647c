// An upstream 429's retry-after is obeyed end to end: the gateway waits that long before it asks the
// same deployment again, and routes other requests elsewhere meanwhile. A real upstream on
// 127.0.0.1 answers the 429; the stack runs on a scaled clock (100 simulated ms per real ms), and
// the waits asserted are lower bounds in simulated time, which a loaded machine only lengthens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auth, imageB64, json, startBadUpstream, startHardStack } from './harness.js';
import { postJson } from '../helpers/sse.js';

const body = { prompt: 'an apple', size: '1024x1024', quality: 'low' };
const limited = { error: { message: 'slow down', type: 'rate_limit_error', code: 'rate_limit_exceeded' } };

/** `bad` answers with `first` once, then with images; `good` (much lower weight) always with images. */
async function retryAfterStack(t: import('node:test').TestContext, first: (nowMs: number) => Record<string, string>) {
  const png = await imageB64();
  const seenAt: number[] = [];
  let clockNow = (): number => 0;
  const bad = await startBadUpstream(t, (_req, res, _body, index) => {
    seenAt.push(clockNow());
    if (index === 0) json(res, 429, limited, first(clockNow()));
    else json(res, 200, { created: 1, data: [{ b64_json: png }], output_format: 'png' });
  });
  const good = await startBadUpstream(t, (_req, res) => json(res, 200, { created: 1, data: [{ b64_json: png }], output_format: 'png' }));
  const stack = await startHardStack(t, {
    models: '  pair: { deployments: [bad, good] }\n  badonly: { deployments: [bad] }',
    deployments: `  bad: { provider: openai, base_url: "{{BAD}}/v1", api_key: env:UPSTREAM_KEY, model: gpt-image-2, weight: 1000, upstream_mode: non_stream }
  good: { provider: openai, base_url: "${good.url}/v1", api_key: env:UPSTREAM_KEY, model: gpt-image-2, weight: 0.001, upstream_mode: non_stream }`,
    bad,
  });
  clockNow = () => stack.clock.now();
  return { stack, bad, good, seenAt };
}

// 60 simulated seconds are 600 real ms: far longer than the 1 s default back-off or the retry
// backoff (at most 500 ms) a gateway that ignored the header would use, even with 10x lag.
for (const [form, header, atLeastMs] of [
  ['seconds', (_now: number) => ({ 'retry-after': '60' }), 60_000],
  ['milliseconds', (_now: number) => ({ 'retry-after-ms': '60000' }), 60_000],
  // An HTTP date has whole seconds: the wait is at least 59 s.
  ['an HTTP date', (now: number) => ({ 'retry-after': new Date(now + 60_000).toUTCString() }), 59_000],
] as const) {
  test(`a 429 with retry-after in ${form} on the only deployment: the gateway waits that long, then succeeds`, async (t) => {
    const { stack, bad, seenAt } = await retryAfterStack(t, header);
    const res = await postJson(`${stack.url}/v1/images/generations`, { ...body, model: 'badonly' }, auth);
    assert.equal(res.status, 200, JSON.stringify(res.json).slice(0, 300));
    assert.equal(bad.requests, 2);
    const waited = seenAt[1] - seenAt[0];
    assert.ok(waited >= atLeastMs, `asked again after ${waited} simulated ms, retry-after said ${atLeastMs}`);
  });
}

test('while a retry-after holds, requests go to the other deployment; the limited one is not asked again', async (t) => {
  // 300 simulated seconds (upstream.max_retry_after_ms' default): 3 real seconds to send two more.
  const { stack, bad, good } = await retryAfterStack(t, () => ({ 'retry-after': '300' }));
  const first = await postJson(`${stack.url}/v1/images/generations`, { ...body, model: 'pair' }, auth);
  assert.equal(first.status, 200, JSON.stringify(first.json).slice(0, 300));
  assert.equal(bad.requests, 1);
  assert.equal(good.requests, 1, 'the 429 was retried at once on the other deployment');
  const started = stack.clock.now();
  for (const n of [2, 3]) {
    const res = await postJson(`${stack.url}/v1/images/generations`, { ...body, model: 'pair' }, auth);
    assert.equal(res.status, 200);
    assert.equal(good.requests, n);
  }
  if (stack.clock.now() - started < 300_000) assert.equal(bad.requests, 1, 'the heavier deployment is left alone while its retry-after holds');
});
