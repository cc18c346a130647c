// The official openai SDK, unchanged but for baseURL/endpoint and key, through holdfast.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { AzureOpenAI, toFile } from 'openai';
import sharp from 'sharp';
import { startStack, seedConfig, seedEnv } from '../helpers/stack.js';

const auth = `auth: { keys: [env:HOLDFAST_KEY] }`;
const env = { ...seedEnv, HOLDFAST_KEY: 'hf-client-key' };

async function pngBytes(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: { r: 200, g: 30, b: 30, alpha: 1 } } }).png().toBuffer();
}

async function dimensions(b64: string | undefined): Promise<{ width?: number; height?: number; format?: string }> {
  assert.ok(b64, 'an image came back');
  return sharp(Buffer.from(b64, 'base64')).metadata();
}

test('OpenAI client: generations streaming and not, and a multipart edit', async (t) => {
  const stack = await startStack(t, { config: seedConfig(auth), env });
  const client = new OpenAI({ apiKey: 'hf-client-key', baseURL: `${stack.url}/v1`, maxRetries: 0 });

  const plain = await client.images.generate({ model: 'gpt-image-2', prompt: 'a red apple', size: '1024x1024', quality: 'low' });
  assert.equal((await dimensions(plain.data?.[0]?.b64_json)).width, 1024);

  const stream = await client.images.generate({ model: 'gpt-image-2', prompt: 'a green pear', size: '1536x1024', quality: 'low', stream: true, partial_images: 2 });
  const types: string[] = [];
  let last: string | undefined;
  for await (const event of stream) {
    types.push(event.type);
    if (event.type === 'image_generation.completed') last = event.b64_json;
  }
  assert.deepEqual(types, ['image_generation.partial_image', 'image_generation.partial_image', 'image_generation.completed']);
  assert.equal((await dimensions(last)).width, 1536);

  const edited = await client.images.edit({
    model: 'gpt-image-2', prompt: 'make it blue', size: '1024x1024', quality: 'low',
    image: await toFile(await pngBytes(1024, 1024), 'apple.png', { type: 'image/png' }),
  });
  assert.equal((await dimensions(edited.data?.[0]?.b64_json)).height, 1024);

  await assert.rejects(
    new OpenAI({ apiKey: 'wrong', baseURL: `${stack.url}/v1`, maxRetries: 0 }).images.generate({ model: 'gpt-image-2', prompt: 'x' }),
    (error: unknown) => error instanceof OpenAI.AuthenticationError,
  );
});

test('AzureOpenAI client: generations streaming and not, and a streaming edit with two images', async (t) => {
  const stack = await startStack(t, { config: seedConfig(auth), env });
  const client = new AzureOpenAI({ apiKey: 'hf-client-key', endpoint: stack.url, deployment: 'gpt-image-2', apiVersion: '2025-04-01-preview', maxRetries: 0 });

  const plain = await client.images.generate({ model: 'gpt-image-2', prompt: 'a red apple', size: '1024x1024', quality: 'low', output_format: 'jpeg' });
  assert.equal((await dimensions(plain.data?.[0]?.b64_json)).format, 'jpeg');

  const stream = await client.images.generate({ model: 'gpt-image-2', prompt: 'a green pear', size: '1024x1024', quality: 'low', stream: true, partial_images: 1 });
  const types: string[] = [];
  for await (const event of stream) types.push(event.type);
  assert.deepEqual(types, ['image_generation.partial_image', 'image_generation.completed']);

  const editStream = await client.images.edit({
    model: 'gpt-image-2', prompt: 'put both on a shelf', size: '1024x1024', quality: 'low', stream: true, partial_images: 1,
    image: [await toFile(await pngBytes(512, 512), 'a.png', { type: 'image/png' }), await toFile(await pngBytes(256, 256), 'b.png', { type: 'image/png' })],
  });
  const editTypes: string[] = [];
  for await (const event of editStream) editTypes.push(event.type);
  assert.deepEqual(editTypes, ['image_edit.partial_image', 'image_edit.completed']);
});

test('edits refuse what the upstream would refuse, before any upstream call', async (t) => {
  const stack = await startStack(t, { config: seedConfig(auth), env });
  const client = new OpenAI({ apiKey: 'hf-client-key', baseURL: `${stack.url}/v1`, maxRetries: 0 });
  await assert.rejects(
    client.images.edit({ model: 'gpt-image-2', prompt: 'x', image: await toFile(Buffer.from('not an image'), 'a.txt', { type: 'text/plain' }) }),
    (error: unknown) => error instanceof OpenAI.BadRequestError && error.param === 'image',
  );
  assert.equal(stack.sim.stats().requests_total, 0);
});
