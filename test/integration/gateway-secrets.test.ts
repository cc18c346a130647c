// Keys never appear in logs, errors or answers; the model list is the configured routes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, seedConfig, seedEnv } from '../helpers/stack.js';
import { getJson, postJson, readSse } from '../helpers/sse.js';

test('upstream and client keys appear in no log line, error or answer, even at trace level', async (t) => {
  const lines: string[] = [];
  const env = { ...seedEnv, HOLDFAST_KEY: 'hf-client-secret-key' };
  const stack = await startStack(t, { config: seedConfig('auth: { keys: [env:HOLDFAST_KEY] }'), env, logLines: lines });
  const auth = { authorization: `Bearer ${env.HOLDFAST_KEY}` };
  const answers = [
    await postJson(`${stack.url}/v1/images/generations`, { model: 'gpt-image-2', prompt: 'an apple', size: '1024x1024', quality: 'low' }, auth),
    await postJson(`${stack.url}/v1/images/generations`, { model: 'gpt-image-2', prompt: 'forbidden fruit', size: '1024x1024', quality: 'low' }, auth),
    await postJson(`${stack.url}/v1/images/generations`, { model: 'gpt-image-2', prompt: 'x' }, { authorization: 'Bearer sk-wrong-key' }),
    await postJson(`${stack.url}/openai/deployments/gpt-image-2/images/generations?api-version=x`, { prompt: 'x', size: '7x7' }, { 'api-key': env.HOLDFAST_KEY }),
  ];
  const stream = await readSse(`${stack.url}/v1/images/generations`, { headers: auth, body: { model: 'gpt-image-2-openai', prompt: 'a pear', size: '1024x1024', quality: 'low', stream: true, partial_images: 1 } });
  assert.deepEqual(answers.map((a) => a.status), [200, 400, 401, 400]);
  assert.equal(stream.frames.at(-1)?.event, 'image_generation.completed');
  assert.ok(lines.some((l) => l.includes('"attempt ended"')), 'attempts were logged');
  assert.ok(lines.some((l) => l.includes('apim-request-id')), 'upstream request ids were logged');
  const everything = [...lines, ...answers.map((a) => JSON.stringify(a)), stream.raw].join('\n');
  for (const secret of [...Object.values(seedEnv), env.HOLDFAST_KEY, 'sk-wrong-key']) {
    assert.ok(!everything.includes(secret), `a key leaked: ${secret.slice(0, 6)}…`);
  }
});

test('GET /v1/models lists the configured model routes in the OpenAI list shape', async (t) => {
  const stack = await startStack(t, { config: seedConfig(), env: seedEnv });
  const models = await getJson(`${stack.url}/v1/models`);
  assert.equal(models.status, 200);
  assert.equal(models.json.object, 'list');
  assert.deepEqual((models.json.data as Array<{ id: string }>).map((m) => m.id), ['gpt-image-2', 'gpt-image-2-openai']);
});
