import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGptImage2Size, checkImageRequest, modelFamily } from './image-rules.js';

test('gpt-image-2 sizes follow the documented worked checks', () => {
  for (const ok of ['1536x864', '1024x640', '2880x2880', '3840x1280', '2048x2048', '3840x2160', 'auto']) {
    assert.equal(checkGptImage2Size(ok), undefined, ok);
  }
  assert.match(checkGptImage2Size('1792x936') ?? '', /divisible by 16/);
  assert.match(checkGptImage2Size('1024x512') ?? '', /pixels/);
  assert.match(checkGptImage2Size('3600x720') ?? '', /aspect ratio/);
  assert.match(checkGptImage2Size('4000x800') ?? '', /./);
  assert.match(checkGptImage2Size('9:16') ?? '', /Expected WIDTHxHEIGHT/);
});

test('model families and their own rules', () => {
  assert.equal(modelFamily('gpt-image-2-2026-04-21'), 'gpt-image-2');
  assert.equal(modelFamily('gpt-image-1-mini'), 'gpt-image-1');
  assert.equal(modelFamily('my-own-model'), undefined);
  const gen = { endpoint: 'generations' as const };
  assert.equal(checkImageRequest('gpt-image-1', { prompt: 'x', size: '2048x2048' }, gen)?.param, 'size');
  assert.equal(checkImageRequest('gpt-image-2', { prompt: 'x', response_format: 'url' }, gen)?.code, 'unknown_parameter');
  assert.equal(checkImageRequest('gpt-image-2', { prompt: 'x', partial_images: 4 }, gen)?.param, 'partial_images');
  assert.equal(checkImageRequest('dall-e-3', { prompt: 'x', n: 2 }, gen)?.param, 'n');
  assert.equal(checkImageRequest('gpt-image-2', { prompt: 'x', output_format: 'webp' }, { ...gen, provider: 'azure' })?.param, 'output_format');
  assert.equal(checkImageRequest('gpt-image-2', { prompt: '' }, gen)?.param, 'prompt');
  assert.equal(checkImageRequest('gpt-image-2', { prompt: 'x', n: '2', stream: 'true', partial_images: '2' }, { endpoint: 'edits' }), undefined);
});
