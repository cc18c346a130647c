// Images are real: decoded, they have the requested size and format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { azureUrl, decode, postJson, startSim } from './simulator-harness.js';

const BEARER = { authorization: 'Bearer sk-test' };

test('images decode to the requested size and format (png, jpeg, webp, a custom gpt-image-2 size)', async (t) => {
  const { url } = await startSim(t, { scale: 0.001 });
  const cases = [
    { size: '1024x1024', output_format: 'png', expect: { width: 1024, height: 1024, format: 'png' } },
    { size: '1536x864', output_format: 'jpeg', output_compression: 60, expect: { width: 1536, height: 864, format: 'jpeg' } },
    { size: '1024x1536', output_format: 'webp', expect: { width: 1024, height: 1536, format: 'webp' } },
    { size: 'auto', output_format: 'png', expect: { width: 1024, height: 1024, format: 'png' } },
  ];
  for (const { expect, ...fields } of cases) {
    const res = await postJson(`${url}/v1/images/generations`, { model: 'gpt-image-2', prompt: 'a teapot on a table', quality: 'low', ...fields }, BEARER);
    assert.equal(res.status, 200, `${fields.size} ${fields.output_format}`);
    const body = await res.json() as { data: Array<{ b64_json: string }>; output_format: string; size: string };
    assert.equal(body.output_format, fields.output_format);
    assert.equal(body.size, `${expect.width}x${expect.height}`);
    assert.deepEqual(await decode(body.data[0].b64_json), expect);
  }
});

test('n = 2 returns two different images', async (t) => {
  const { url } = await startSim(t, { scale: 0.001 });
  const res = await postJson(`${url}/v1/images/generations`, { model: 'gpt-image-2', prompt: 'two cats', quality: 'low', n: 2 }, BEARER);
  const body = await res.json() as { data: Array<{ b64_json: string }> };
  assert.equal(body.data.length, 2);
  assert.notEqual(body.data[0].b64_json, body.data[1].b64_json);
});

test('Azure refuses webp output with the upstream 400 naming output_format', async (t) => {
  const { url } = await startSim(t, { scale: 0.001 });
  const res = await postJson(azureUrl(url, 'gpt-image-2-1'), { prompt: 'a teapot', output_format: 'webp' }, { 'api-key': 'k' });
  assert.equal(res.status, 400);
  const body = await res.json() as { error: { param: string; type: string; code: string } };
  assert.equal(body.error.param, 'output_format');
  assert.equal(body.error.type, 'invalid_request_error');
  assert.equal(body.error.code, 'invalid_value');
});
