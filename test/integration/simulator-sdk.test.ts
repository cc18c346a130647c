// The official openai SDK (OpenAI and AzureOpenAI clients) against the simulator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { AzureOpenAI, toFile } from 'openai';
import sharp from 'sharp';
import { decode, startSim } from './simulator-harness.js';

function openaiClient(url: string): OpenAI {
  return new OpenAI({ apiKey: 'sk-test', baseURL: `${url}/v1`, maxRetries: 0 });
}

function azureClient(url: string): AzureOpenAI {
  return new AzureOpenAI({ apiKey: 'az-key', endpoint: url, deployment: 'gpt-image-2-1', apiVersion: '2025-04-01-preview', maxRetries: 0 });
}

test('the OpenAI client streams partial images and a completed image', async (t) => {
  const { url } = await startSim(t, { scale: 0.002 });
  const stream = await openaiClient(url).images.generate({
    model: 'gpt-image-2', prompt: 'a paper boat', size: '1024x1024', quality: 'low', stream: true, partial_images: 2,
  });
  const types: string[] = [];
  let final = '';
  for await (const event of stream) {
    types.push(event.type);
    if (event.type === 'image_generation.completed') final = event.b64_json;
  }
  assert.deepEqual(types, ['image_generation.partial_image', 'image_generation.partial_image', 'image_generation.completed']);
  assert.deepEqual(await decode(final), { width: 1024, height: 1024, format: 'png' });
});

test('the OpenAI client gets the JSON body without streaming', async (t) => {
  const { url } = await startSim(t, { scale: 0.002 });
  const result = await openaiClient(url).images.generate({ model: 'gpt-image-2', prompt: 'a paper boat', size: '1024x1024', quality: 'low' });
  assert.equal(typeof result.created, 'number');
  assert.ok(result.data?.[0]?.b64_json);
  assert.equal(result.quality, 'low');
  assert.ok((result.usage?.total_tokens ?? 0) > 0);
});

test('the AzureOpenAI client streams and gets the JSON body from gpt-image-2-1', async (t) => {
  const { url } = await startSim(t, { scale: 0.002 });
  const client = azureClient(url);
  const stream = await client.images.generate({
    model: 'gpt-image-2', prompt: 'a paper boat', size: '1024x1024', quality: 'low', stream: true, partial_images: 1,
  });
  const types: string[] = [];
  for await (const event of stream) types.push(event.type);
  assert.deepEqual(types, ['image_generation.partial_image', 'image_generation.completed']);
  const result = await client.images.generate({ model: 'gpt-image-2', prompt: 'a paper boat', size: '1024x1024', quality: 'low' });
  assert.deepEqual(await decode(result.data?.[0]?.b64_json ?? ''), { width: 1024, height: 1024, format: 'png' });
});

test('an edit with the SDK uploads the image and gets an edited image back, streamed or not', async (t) => {
  const { url, sim } = await startSim(t, { scale: 0.002 });
  const png = await sharp({ create: { width: 64, height: 64, channels: 4, background: '#336699' } }).png().toBuffer();
  const client = openaiClient(url);
  const result = await client.images.edit({
    image: await toFile(png, 'a.png', { type: 'image/png' }), prompt: 'add a moon', model: 'gpt-image-2', quality: 'low', size: '1024x1024',
  });
  assert.deepEqual(await decode(result.data?.[0]?.b64_json ?? ''), { width: 1024, height: 1024, format: 'png' });
  assert.equal(result.usage?.input_tokens_details.image_tokens, 323);
  const stream = await client.images.edit({
    image: [await toFile(png, 'a.png', { type: 'image/png' }), await toFile(png, 'b.png', { type: 'image/png' })],
    prompt: 'add a moon', model: 'gpt-image-2', quality: 'low', size: '1024x1024', stream: true, partial_images: 1,
  });
  const types: string[] = [];
  for await (const event of stream) types.push(event.type);
  assert.deepEqual(types, ['image_edit.partial_image', 'image_edit.completed']);
  const azure = await azureClient(url).images.edit({ image: await toFile(png, 'a.png', { type: 'image/png' }), prompt: 'add a moon', model: 'gpt-image-2', quality: 'low' });
  assert.ok(azure.data?.[0]?.b64_json);
  assert.equal(sim.stats().deployments['gpt-image-2'].attempts_by_outcome.completed, 2);
});

test('an edit whose upload is not an image is refused with 400', async (t) => {
  const { url } = await startSim(t, { scale: 0.002 });
  await assert.rejects(
    openaiClient(url).images.edit({ image: await toFile(Buffer.from('not an image'), 'a.png', { type: 'image/png' }), prompt: 'x', model: 'gpt-image-2' }),
    (error: unknown) => error instanceof OpenAI.BadRequestError && error.code === 'invalid_image_format',
  );
});

test('a mid-stream server_error reaches the SDK as an APIError after the partial', async (t) => {
  const { url } = await startSim(t, { scale: 0.002 });
  await fetch(`${url}/_sim/deployments/gpt-image-2/faults`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ all: { stream_error: 1 } }),
  });
  const stream = await openaiClient(url).images.generate({
    model: 'gpt-image-2', prompt: 'a paper boat', size: '1024x1024', quality: 'low', stream: true, partial_images: 2,
  });
  const types: string[] = [];
  await assert.rejects(async () => {
    for await (const event of stream) types.push(event.type);
  }, (error: unknown) => error instanceof OpenAI.APIError && error.status === undefined && error.message === 'An error occurred while processing your request.');
  assert.deepEqual(types, ['image_generation.partial_image']);
});
