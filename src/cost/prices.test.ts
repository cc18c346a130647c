import { test } from 'node:test';
import assert from 'node:assert/strict';
import { costUsd } from './prices.js';
import { priceTable } from './prices-table.js';
import { reservationUsd } from './billing.js';
import { estimateLostUsage, readUsage } from '../wire/usage.js';

test('usage from a completed event is split into text, input image and output image tokens', () => {
  const u = readUsage({ total_tokens: 7410, input_tokens: 1202, output_tokens: 6208, input_tokens_details: { text_tokens: 34, image_tokens: 1168 } });
  assert.deepEqual(u, { text_input_tokens: 34, image_input_tokens: 1168, image_output_tokens: 6208, text_output_tokens: 0, estimated: false });
  const detailed = readUsage({ input_tokens: 10, output_tokens: 1100, output_tokens_details: { image_tokens: 1000, text_tokens: 100 } });
  assert.deepEqual(detailed, { text_input_tokens: 10, image_input_tokens: 0, image_output_tokens: 1000, text_output_tokens: 100, estimated: false });
  assert.equal(readUsage(undefined), undefined);
});

test('cost is each token kind times its price per million, to the micro-dollar', () => {
  const prices = priceTable({});
  const gptImage1 = prices.get('gpt-image-1');
  assert.ok(gptImage1);
  // 4160 high-quality 1024x1024 output tokens at $40/1M = $0.1664 (community.openai.com/t/1275254).
  assert.equal(costUsd({ text_input_tokens: 0, image_input_tokens: 0, image_output_tokens: 4160, text_output_tokens: 0, estimated: false }, gptImage1), 0.1664);
  const u = { text_input_tokens: 34, image_input_tokens: 1168, image_output_tokens: 6208, text_output_tokens: 0, estimated: false };
  assert.equal(costUsd(u, gptImage1), (34 * 5 + 1168 * 10 + 6208 * 40) / 1e6);
  const custom = priceTable({ 'gpt-image-1': { text_input_per_1m: 1, image_input_per_1m: 1, image_output_per_1m: 1 } });
  assert.equal(costUsd(u, custom.get('gpt-image-1') ?? gptImage1), (34 + 1168 + 6208) / 1e6);
  assert.equal(priceTable({}).get('dall-e-3'), undefined);
});

test('a billed attempt that failed is estimated from its prompt and the partial images it sent', () => {
  assert.deepEqual(estimateLostUsage('12345678', 2), { text_input_tokens: 2, image_input_tokens: 0, image_output_tokens: 200, text_output_tokens: 0, estimated: true });
});

test('a budget reservation prices the guide\'s tokens for size and quality at the dearest priced model, erring high', () => {
  const prices = priceTable({});
  const request = (fields: Record<string, unknown>, stream = false, partialImages = 0) => ({ fields: { prompt: '12345678', ...fields }, stream, partialImages });
  // 1024x1024 low: 2 prompt tokens and 272 output tokens; gpt-image-1 ($40) is dearer than gpt-image-2 ($30).
  assert.equal(reservationUsd(request({ size: '1024x1024', quality: 'low' }), ['gpt-image-2', 'gpt-image-1'], prices), (2 * 5 + 272 * 40) / 1e6);
  // quality and size auto (or absent): high at 1024x1536, the dearest documented size; n and streamed partials count.
  assert.equal(reservationUsd(request({ size: 'auto', quality: 'auto', n: 2 }, true, 3), ['gpt-image-2'], prices), (2 * 5 + (6240 * 2 + 300) * 30) / 1e6);
  assert.equal(reservationUsd(request({}), ['gpt-image-2'], prices), (2 * 5 + 6240 * 30) / 1e6);
  // Partials only count on a stream; a size off the table scales 1024x1024 by area.
  assert.equal(reservationUsd(request({ size: '2048x2048', quality: 'medium' }, false, 3), ['gpt-image-2'], prices), (2 * 5 + 1056 * 4 * 30) / 1e6);
  assert.equal(reservationUsd(request({ size: '1024x1024' }), ['dall-e-3'], prices), 0, 'no price, no reservation');
});
