import { test } from 'node:test';
import assert from 'node:assert/strict';
import { usageFor, type GenerationRequest } from './generation.js';
import { outputTokensPerImage } from '../wire/usage.js';

function request(overrides: Partial<GenerationRequest>): GenerationRequest {
  return {
    endpoint: 'generations', prompt: 'a lighthouse at dusk', width: 1024, height: 1024, requestedSize: '1024x1024',
    requestedQuality: 'medium', quality: 'medium', requestedBackground: 'auto', format: 'png', compression: 100,
    n: 1, partialImages: 0, stream: false, inputImages: 0, ...overrides,
  };
}

test('output tokens follow the guide table for its sizes and grow with size and quality elsewhere', () => {
  assert.deepEqual(['low', 'medium', 'high'].map((q) => outputTokensPerImage(1024, 1024, q as 'low')), [272, 1056, 4160]);
  assert.deepEqual(['low', 'medium', 'high'].map((q) => outputTokensPerImage(1024, 1536, q as 'low')), [408, 1584, 6240]);
  assert.deepEqual(['low', 'medium', 'high'].map((q) => outputTokensPerImage(1536, 1024, q as 'low')), [400, 1568, 6208]);
  assert.ok(outputTokensPerImage(2048, 2048, 'high') > outputTokensPerImage(1536, 1024, 'high'));
  assert.ok(outputTokensPerImage(3840, 2160, 'low') < outputTokensPerImage(3840, 2160, 'medium'));
});

test('usage counts every image, each streamed partial (100 tokens) and the input images', () => {
  const u = usageFor(request({ n: 2, stream: true, partialImages: 2, inputImages: 1 }));
  assert.equal(u.output_tokens, 2 * 1056 + 200);
  assert.equal(u.input_tokens_details.image_tokens, 323);
  assert.equal(u.input_tokens_details.text_tokens, Math.ceil('a lighthouse at dusk'.length / 4));
  assert.equal(u.total_tokens, u.input_tokens + u.output_tokens);
  assert.equal(usageFor(request({ stream: false, partialImages: 0 })).output_tokens, 1056);
});
