// What the upstream refuses before generating: rate limits, content policy, unknown deployments,
// wrong keys and invalid requests, each in the upstream's own error shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/time/manual-clock.js';
import { parseScenarioYaml } from '../../src/simulator/index.js';
import { azureUrl, postJson, startSim } from './simulator-harness.js';

const KEY = { 'api-key': 'any-key' };

test('the 11th request in a minute gets 429 with retry-after, retry-after-ms and x-ratelimit-* headers', async (t) => {
  const clock = new ManualClock();
  const { url, sim } = await startSim(t, { clock });
  const abort = new AbortController();
  // Ten generations start and hang (the manual clock does not move); their headers are not awaited.
  const pending = Array.from({ length: 10 }, () =>
    postJson(azureUrl(url, 'gpt-image-2-1'), { prompt: 'a bridge', size: '1024x1024', quality: 'low' }, KEY, abort.signal).catch(() => undefined));
  while (sim.stats().deployments['gpt-image-2-1'].in_flight < 10) await new Promise((r) => setImmediate(r));
  await clock.advanceBy(5_000);
  const res = await postJson(azureUrl(url, 'gpt-image-2-1'), { prompt: 'a bridge', size: '1024x1024', quality: 'low' }, KEY);
  assert.equal(res.status, 429);
  assert.equal(res.headers.get('retry-after'), '55');
  assert.equal(res.headers.get('retry-after-ms'), '55000');
  assert.equal(res.headers.get('x-ratelimit-limit-requests'), '10');
  assert.equal(res.headers.get('x-ratelimit-remaining-requests'), '0');
  assert.equal(res.headers.get('x-ratelimit-reset-requests'), '55s');
  const body = await res.json() as { error: { code: string; message: string } };
  assert.equal(body.error.code, '429');
  assert.match(body.error.message, /Please retry after 55 seconds/);
  abort.abort();
  await Promise.all(pending);
  while (sim.stats().deployments['gpt-image-2-1'].in_flight > 0) await new Promise((r) => setImmediate(r));
  const stats = sim.stats();
  assert.equal(stats.rate_limited_total, 1);
  assert.equal(stats.deployments['gpt-image-2-1'].attempts_by_outcome.client_aborted, 10);
  assert.equal(stats.deployments['gpt-image-2-1'].peak_concurrency, 10);
  assert.equal(clock.pendingCount, 0, 'aborted generations leave no timers behind');
  // A minute after the first ones the window has room again: this one passes the limiter (and is
  // then refused for its size, so nothing is left running).
  await clock.advanceBy(56_000);
  const again = await postJson(azureUrl(url, 'gpt-image-2-1'), { prompt: 'a bridge', size: '100x100' }, KEY);
  assert.equal(again.status, 400);
  assert.equal(again.headers.get('x-ratelimit-remaining-requests'), '9');
});

test('the OpenAI form answers rate_limit_exceeded once its 10 requests are spent', async (t) => {
  const clock = new ManualClock();
  const { url } = await startSim(t, { clock });
  const bad = { model: 'gpt-image-2', prompt: 'x', size: '100x100' };
  // Refused requests still count: the limit is taken before the body's rules are checked.
  for (let i = 0; i < 10; i++) assert.equal((await postJson(`${url}/v1/images/generations`, bad, { authorization: 'Bearer k' })).status, 400);
  const res = await postJson(`${url}/v1/images/generations`, bad, { authorization: 'Bearer k' });
  assert.equal(res.status, 429);
  const body = await res.json() as { error: { code: string; type: string } };
  assert.equal(body.error.code, 'rate_limit_exceeded');
  assert.ok(res.headers.get('x-request-id')?.startsWith('req_'));
});

test('a content-policy prompt is refused every time, in both forms', async (t) => {
  const { url, sim } = await startSim(t, { scale: 0.001 });
  for (let i = 0; i < 3; i++) {
    const openai = await postJson(`${url}/v1/images/generations`, { model: 'gpt-image-2', prompt: 'something FORBIDDEN here' }, { authorization: 'Bearer k' });
    assert.equal(openai.status, 400);
    const ob = await openai.json() as { error: { type: string; code: string; param: null; message: string } };
    assert.equal(ob.error.code, 'moderation_blocked');
    assert.equal(ob.error.type, 'image_generation_user_error');
    assert.equal(ob.error.param, null);
    assert.match(ob.error.message, /^Your request was rejected by the safety system/);
    const azure = await postJson(azureUrl(url, 'gpt-image-2-westeurope'), { prompt: 'gore and more' }, KEY);
    assert.equal(azure.status, 400);
    const ab = await azure.json() as { error: { code: string; type: string; inner_error: { code: string; content_filter_results: object } } };
    assert.equal(ab.error.code, 'content_policy_violation');
    assert.equal(ab.error.type, 'invalid_request_error');
    assert.equal(ab.error.inner_error.code, 'ResponsibleAIPolicyViolation');
    assert.ok(ab.error.inner_error.content_filter_results);
  }
  const stats = sim.stats();
  assert.equal(stats.deployments['gpt-image-2'].attempts_by_outcome.content_policy, 3);
  assert.equal(stats.deployments['gpt-image-2-westeurope'].attempts_by_outcome.content_policy, 3);
});

test('unknown deployments get 404 in each upstream shape', async (t) => {
  const { url } = await startSim(t, { scale: 0.001 });
  const azure = await postJson(azureUrl(url, 'no-such-deployment'), { prompt: 'x' }, KEY);
  assert.equal(azure.status, 404);
  const ab = await azure.json() as { error: { code: string; message: string } };
  assert.equal(ab.error.code, 'DeploymentNotFound');
  assert.match(ab.error.message, /^The API deployment for this resource does not exist\./);
  const openai = await postJson(`${url}/v1/images/generations`, { model: 'dall-e-9', prompt: 'x' }, { authorization: 'Bearer k' });
  assert.equal(openai.status, 404);
  assert.equal((await openai.json() as { error: { code: string } }).error.code, 'model_not_found');
  const v1 = await postJson(`${url}/openai/v1/images/generations`, { model: 'nope', prompt: 'x' }, KEY);
  assert.equal(v1.status, 404);
});

test('a wrong key gets 401 when the scenario pins keys, in each upstream shape', async (t) => {
  const scenario = parseScenarioYaml(`
name: pinned
deployments:
  - { name: az, form: azure, model: gpt-image-2, region: westeurope, key: az-secret }
  - { name: gpt-image-2, form: openai, model: gpt-image-2, key: sk-secret }
`, 'pinned');
  const { url } = await startSim(t, { scale: 0.001, scenario });
  const azure = await postJson(azureUrl(url, 'az'), { prompt: 'x' }, { 'api-key': 'wrong' });
  assert.equal(azure.status, 401);
  const ab = await azure.json() as { error: { code: string; message: string } };
  assert.equal(ab.error.code, '401');
  assert.match(ab.error.message, /^Access denied due to invalid subscription key or wrong API endpoint\./);
  const openai = await postJson(`${url}/v1/images/generations`, { model: 'gpt-image-2', prompt: 'x' }, { authorization: 'Bearer sk-wrong' });
  assert.equal(openai.status, 401);
  assert.equal((await openai.json() as { error: { code: string } }).error.code, 'invalid_api_key');
  const noKey = await postJson(`${url}/v1/images/generations`, { model: 'gpt-image-2', prompt: 'x' }, {});
  assert.equal(noKey.status, 401);
  const v1Bearer = await postJson(`${url}/openai/v1/images/generations`, { model: 'az', prompt: 'x', size: '1000x1000' }, { authorization: 'Bearer az-secret' });
  assert.equal(v1Bearer.status, 400, 'the right key passes on the Azure v1 path; the size is then refused');
});

test('invalid requests get the upstream 400 naming the parameter', async (t) => {
  const { url } = await startSim(t, { scale: 0.001 });
  const size = await postJson(azureUrl(url, 'gpt-image-2-1'), { prompt: 'x', size: '1792x936' }, KEY);
  assert.equal(size.status, 400);
  assert.deepEqual(await size.json(), {
    error: { message: "Invalid size '1792x936'. Width and height must both be divisible by 16.", type: 'invalid_request_error', param: 'size', code: 'invalid_value' },
  });
  const partials = await postJson(`${url}/v1/images/generations`, { model: 'gpt-image-2', prompt: 'x', partial_images: 4 }, { authorization: 'Bearer k' });
  assert.equal((await partials.json() as { error: { param: string } }).error.param, 'partial_images');
  const noVersion = await postJson(`${url}/openai/deployments/gpt-image-2-1/images/generations`, { prompt: 'x' }, KEY);
  assert.equal(noVersion.status, 400);
  assert.equal((await noVersion.json() as { error: { code: string } }).error.code, 'BadRequest');
  const notJson = await fetch(`${url}/v1/images/generations`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer k' }, body: '{nope' });
  assert.equal(notJson.status, 400);
  assert.equal((await notJson.json() as { error: { type: string } }).error.type, 'invalid_request_error');
});
