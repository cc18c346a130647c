// Every rule of image-rules.ts as a client meets it: the exact violation (param, code and the
// message the client reads) for each model family and endpoint, and what passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGptImage2Size, checkImageRequest, modelFamily, parseSize, readStreamOptions, type ModelFamily, type RuleOptions, type RuleViolation } from './image-rules.js';

const gen: RuleOptions = { endpoint: 'generations' };
const edits: RuleOptions = { endpoint: 'edits' };
const azure: RuleOptions = { endpoint: 'generations', provider: 'azure' };
const v = (param: string, code: RuleViolation['code'], message: string): RuleViolation => ({ param, code, message });

test('model families, by name and dated or suffixed names', () => {
  const table: Array<[string, ModelFamily | undefined]> = [
    ['gpt-image-2', 'gpt-image-2'], ['gpt-image-2-2026-04-21', 'gpt-image-2'], ['gpt-image-20', undefined],
    ['gpt-image-1', 'gpt-image-1'], ['gpt-image-1.5', 'gpt-image-1'], ['gpt-image-1-mini', 'gpt-image-1'], ['gpt-image-1.5-mini-2026', 'gpt-image-1'],
    ['chatgpt-image-latest', 'gpt-image-1'], ['chatgpt-image-latest-2', undefined], ['gpt-image-10', undefined], ['my-gpt-image-1', undefined],
    ['dall-e-3', 'dall-e-3'], ['dall-e-3-hd', 'dall-e-3'], ['dall-e-30', undefined],
    ['dall-e-2', 'dall-e-2'], ['dall-e-2-x', 'dall-e-2'], ['dall-e-22', undefined], ['', undefined],
    ['my-gpt-image-2', undefined], ['azure-dall-e-3', undefined], ['old-dall-e-2', undefined],
  ];
  for (const [model, family] of table) assert.equal(modelFamily(model), family, model);
});

test('sizes parse only as WIDTHxHEIGHT with up to five digits each', () => {
  assert.deepEqual(parseSize('1536x864'), { width: 1536, height: 864 });
  for (const bad of ['1536x', 'x864', '123456x10', '10x123456', ' 10x10', '10x10 ', '10X10', '10x10x10']) assert.equal(parseSize(bad), undefined, bad);
});

test("gpt-image-2's size rules, each at its edge, with the message a client reads", () => {
  const invalid = (size: string, why: string): string => `Invalid size '${size}'. ${why}`;
  const table: Array<[string, string | undefined]> = [
    ['auto', undefined],
    ['9:16', invalid('9:16', "Expected WIDTHxHEIGHT, for example '1824x1024'.")],
    ['1040x1024', undefined],
    ['1032x1024', invalid('1032x1024', 'Width and height must both be divisible by 16.')],
    ['1024x1032', invalid('1024x1032', 'Width and height must both be divisible by 16.')],
    ['3840x2160', undefined],
    ['3856x2160', invalid('3856x2160', 'The longest edge must be at most 3840 pixels.')],
    ['2160x3856', invalid('2160x3856', 'The longest edge must be at most 3840 pixels.')],
    ['3840x1280', undefined],
    ['3840x1264', invalid('3840x1264', 'The aspect ratio must be between 1:3 and 3:1.')],
    ['1264x3840', invalid('1264x3840', 'The aspect ratio must be between 1:3 and 3:1.')],
    ['1024x640', undefined],
    ['1024x624', invalid('1024x624', 'The total number of pixels must be between 655360 and 8294400.')],
    ['3840x2160', undefined],
    ['2880x2880', undefined],
    ['2896x2896', invalid('2896x2896', 'The total number of pixels must be between 655360 and 8294400.')],
  ];
  for (const [size, message] of table) assert.equal(checkGptImage2Size(size), message, size);
});

test('the prompt: required, a string, and at most 32 000 / 4 000 / 1 000 characters by family', () => {
  const missing = v('prompt', 'missing_required_parameter', "Missing required parameter: 'prompt'.");
  for (const prompt of [undefined, null, '']) assert.deepEqual(checkImageRequest('gpt-image-2', { prompt }, gen), missing, String(prompt));
  assert.deepEqual(checkImageRequest('gpt-image-2', { prompt: 7 }, gen), v('prompt', 'invalid_type', "Invalid type for 'prompt': expected a string."));
  const tooLong = (max: number, got: number): RuleViolation =>
    v('prompt', 'invalid_value', `Invalid 'prompt': string too long. Expected a string with maximum length ${max}, but got a string with length ${got} instead.`);
  for (const [family, max] of [['gpt-image-2', 32_000], ['gpt-image-1', 32_000], ['dall-e-3', 4_000], ['dall-e-2', 1_000]] as const) {
    assert.equal(checkImageRequest(family, { prompt: 'x'.repeat(max) }, gen), undefined, `${family} at ${max}`);
    assert.deepEqual(checkImageRequest(family, { prompt: 'x'.repeat(max + 1) }, gen), tooLong(max, max + 1), family);
  }
});

test('response_format is unknown to gpt-image models, and must be url or b64_json for DALL-E', () => {
  const unknown = v('response_format', 'unknown_parameter', "Unknown parameter: 'response_format'.");
  assert.deepEqual(checkImageRequest('gpt-image-1', { prompt: 'x', response_format: 'b64_json' }, gen), unknown);
  assert.equal(checkImageRequest('gpt-image-1', { prompt: 'x', response_format: null }, gen), undefined, 'null is absent');
  assert.equal(checkImageRequest('dall-e-3', { prompt: 'x', response_format: 'url' }, gen), undefined);
  assert.equal(checkImageRequest('dall-e-2', { prompt: 'x', response_format: 'b64_json' }, gen), undefined);
  assert.deepEqual(checkImageRequest('dall-e-2', { prompt: 'x', response_format: 'png' }, gen),
    v('response_format', 'invalid_value', "Invalid value: 'png'. Supported values are: 'url', and 'b64_json'."));
});

test('gpt-only fields are unknown parameters for DALL-E, except stream=false', () => {
  for (const key of ['background', 'moderation', 'output_format', 'output_compression', 'stream', 'partial_images']) {
    assert.deepEqual(checkImageRequest('dall-e-3', { prompt: 'x', [key]: key === 'stream' ? true : 'auto' }, gen), v(key, 'unknown_parameter', `Unknown parameter: '${key}'.`), key);
  }
  assert.equal(checkImageRequest('dall-e-3', { prompt: 'x', stream: false }, gen), undefined);
  assert.equal(checkImageRequest('dall-e-2', { prompt: 'x', stream: 'false' }, gen), undefined, 'multipart false');
  assert.deepEqual(checkImageRequest('dall-e-2', { prompt: 'x', stream: 'true' }, gen), v('stream', 'unknown_parameter', "Unknown parameter: 'stream'."));
  assert.equal(checkImageRequest('dall-e-2', { prompt: 'x', background: null }, gen), undefined);
  assert.deepEqual(checkImageRequest('dall-e-2', { prompt: 'x', partial_images: 'false' }, gen), v('partial_images', 'unknown_parameter', "Unknown parameter: 'partial_images'."), 'only stream may be sent as false');
  assert.deepEqual(checkImageRequest('dall-e-3', { prompt: 'x', background: false }, gen), v('background', 'unknown_parameter', "Unknown parameter: 'background'."));
});

test('n: an integer from 1 to 10 (dall-e-3: exactly 1), multipart text accepted', () => {
  const above = (max: number, got: number): RuleViolation => v('n', 'invalid_value', `Invalid 'n': integer above maximum value. Expected a value <= ${max}, but got ${got} instead.`);
  assert.equal(checkImageRequest('gpt-image-2', { prompt: 'x', n: 10 }, gen), undefined);
  assert.deepEqual(checkImageRequest('gpt-image-2', { prompt: 'x', n: 11 }, gen), above(10, 11));
  assert.deepEqual(checkImageRequest('gpt-image-2', { prompt: 'x', n: 0 }, gen), v('n', 'invalid_value', "Invalid 'n': integer below minimum value. Expected a value >= 1, but got 0 instead."));
  assert.equal(checkImageRequest('gpt-image-2', { prompt: 'x', n: 1 }, gen), undefined);
  assert.deepEqual(checkImageRequest('dall-e-3', { prompt: 'x', n: '2' }, gen), above(1, 2));
  assert.equal(checkImageRequest('dall-e-2', { prompt: 'x', n: ' 10 ' }, gen), undefined);
  assert.deepEqual(checkImageRequest('gpt-image-2', { prompt: 'x', n: '-1' }, gen), v('n', 'invalid_value', "Invalid 'n': integer below minimum value. Expected a value >= 1, but got -1 instead."));
  for (const n of [1.5, '1.5', 'two', true]) {
    assert.deepEqual(checkImageRequest('gpt-image-2', { prompt: 'x', n }, gen), v('n', 'invalid_type', "Invalid type for 'n': expected an integer."), String(n));
  }
});

test('sizes of the fixed-size families, per endpoint', () => {
  const sizeError = (value: string, list: string): RuleViolation => v('size', 'invalid_value', `Invalid value: '${value}'. Supported values are: ${list}.`);
  assert.equal(checkImageRequest('gpt-image-1', { prompt: 'x', size: 'auto' }, gen), undefined);
  assert.deepEqual(checkImageRequest('gpt-image-1', { prompt: 'x', size: '1792x1024' }, gen), sizeError('1792x1024', "'1024x1024', '1536x1024', '1024x1536', and 'auto'"));
  assert.equal(checkImageRequest('dall-e-3', { prompt: 'x', size: '1792x1024' }, gen), undefined);
  assert.deepEqual(checkImageRequest('dall-e-3', { prompt: 'x', size: '512x512' }, gen), sizeError('512x512', "'1024x1024', '1792x1024', and '1024x1792'"));
  assert.equal(checkImageRequest('dall-e-2', { prompt: 'x', size: '256x256' }, edits), undefined);
  assert.deepEqual(checkImageRequest('dall-e-2', { prompt: 'x', size: 1024 }, gen), sizeError('1024', "'256x256', '512x512', and '1024x1024'"), 'a number is not a size string');
  assert.deepEqual(checkImageRequest('gpt-image-2', { prompt: 'x', size: '112x112' }, gen),
    v('size', 'invalid_value', "Invalid size '112x112'. The total number of pixels must be between 655360 and 8294400."));
  assert.equal(checkImageRequest('gpt-image-2', { prompt: 'x', size: '1024x1024' }, gen), undefined);
});

test('quality by family and endpoint; style only for dall-e-3', () => {
  const quality = (value: string, list: string): RuleViolation => v('quality', 'invalid_value', `Invalid value: '${value}'. Supported values are: ${list}.`);
  assert.deepEqual(checkImageRequest('gpt-image-2', { prompt: 'x', quality: 'standard' }, gen), quality('standard', "'auto', 'low', 'medium', and 'high'"));
  assert.equal(checkImageRequest('gpt-image-2', { prompt: 'x', quality: 'standard' }, edits), undefined, 'edits also take standard');
  assert.deepEqual(checkImageRequest('gpt-image-1', { prompt: 'x', quality: 'hd' }, edits), quality('hd', "'standard', 'low', 'medium', 'high', and 'auto'"));
  assert.equal(checkImageRequest('dall-e-3', { prompt: 'x', quality: 'hd' }, gen), undefined);
  assert.deepEqual(checkImageRequest('dall-e-3', { prompt: 'x', quality: 'high' }, gen), quality('high', "'standard', and 'hd'"));
  assert.deepEqual(checkImageRequest('dall-e-2', { prompt: 'x', quality: 'hd' }, gen), quality('hd', "'standard'"));
  assert.equal(checkImageRequest('dall-e-3', { prompt: 'x', style: 'natural' }, gen), undefined);
  assert.deepEqual(checkImageRequest('dall-e-3', { prompt: 'x', style: 'bold' }, gen), v('style', 'invalid_value', "Invalid value: 'bold'. Supported values are: 'vivid', and 'natural'."));
  assert.equal(checkImageRequest('dall-e-2', { prompt: 'x', style: 'bold' }, gen), undefined, 'dall-e-2 does not check style');
  assert.equal(checkImageRequest('gpt-image-2', { prompt: 'x', style: 'bold' }, gen), undefined);
});

test('gpt output options: format (no webp on Azure), compression, partials, background, moderation', () => {
  const enumError = (param: string, value: string, list: string): RuleViolation => v(param, 'invalid_value', `Invalid value: '${value}'. Supported values are: ${list}.`);
  assert.equal(checkImageRequest('gpt-image-2', { prompt: 'x', output_format: 'webp' }, gen), undefined);
  assert.deepEqual(checkImageRequest('gpt-image-2', { prompt: 'x', output_format: 'webp' }, azure), enumError('output_format', 'webp', "'png', and 'jpeg'"));
  assert.deepEqual(checkImageRequest('gpt-image-2', { prompt: 'x', output_format: 'gif' }, gen), enumError('output_format', 'gif', "'png', 'jpeg', and 'webp'"));
  assert.equal(checkImageRequest('gpt-image-2', { prompt: 'x', output_compression: 0 }, gen), undefined);
  assert.equal(checkImageRequest('gpt-image-2', { prompt: 'x', output_compression: 100 }, gen), undefined);
  assert.deepEqual(checkImageRequest('gpt-image-2', { prompt: 'x', output_compression: 101 }, gen),
    v('output_compression', 'invalid_value', "Invalid 'output_compression': integer above maximum value. Expected a value <= 100, but got 101 instead."));
  assert.deepEqual(checkImageRequest('gpt-image-2', { prompt: 'x', output_compression: -1 }, gen),
    v('output_compression', 'invalid_value', "Invalid 'output_compression': integer below minimum value. Expected a value >= 0, but got -1 instead."));
  assert.equal(checkImageRequest('gpt-image-2', { prompt: 'x', partial_images: 3 }, gen), undefined);
  assert.equal(checkImageRequest('gpt-image-2', { prompt: 'x', partial_images: 0 }, gen), undefined);
  assert.deepEqual(checkImageRequest('gpt-image-2', { prompt: 'x', partial_images: 4 }, gen),
    v('partial_images', 'invalid_value', "Invalid 'partial_images': integer above maximum value. Expected a value <= 3, but got 4 instead."));
  assert.deepEqual(checkImageRequest('gpt-image-2', { prompt: 'x', background: 'clear' }, gen), enumError('background', 'clear', "'transparent', 'opaque', and 'auto'"));
  assert.deepEqual(checkImageRequest('gpt-image-2', { prompt: 'x', moderation: 'high' }, gen), enumError('moderation', 'high', "'low', and 'auto'"));
  assert.equal(checkImageRequest('gpt-image-2', { prompt: 'x', background: 'opaque', moderation: 'low' }, gen), undefined);
});

test('stream must be a boolean; input_fidelity only on edits; transparency needs png or webp', () => {
  assert.deepEqual(checkImageRequest('gpt-image-2', { prompt: 'x', stream: 'yes' }, gen), v('stream', 'invalid_type', "Invalid type for 'stream': expected a boolean."));
  assert.equal(checkImageRequest('gpt-image-2', { prompt: 'x', stream: 'false' }, gen), undefined);
  assert.equal(checkImageRequest('gpt-image-2', { prompt: 'x', stream: true }, gen), undefined);
  assert.deepEqual(checkImageRequest('gpt-image-2', { prompt: 'x', input_fidelity: 'high' }, gen), v('input_fidelity', 'unknown_parameter', "Unknown parameter: 'input_fidelity'."));
  assert.equal(checkImageRequest('gpt-image-2', { prompt: 'x', input_fidelity: 'high' }, edits), undefined);
  const needsAlpha = v('background', 'invalid_value', "Transparent background requires output_format 'png' or 'webp'.");
  assert.deepEqual(checkImageRequest('gpt-image-2', { prompt: 'x', background: 'transparent', output_format: 'jpeg' }, gen), needsAlpha);
  assert.equal(checkImageRequest('gpt-image-2', { prompt: 'x', background: 'transparent' }, gen), undefined, 'png by default');
  assert.equal(checkImageRequest('gpt-image-2', { prompt: 'x', background: 'transparent', output_format: 'webp' }, gen), undefined);
  assert.equal(checkImageRequest('gpt-image-2', { prompt: 'x', background: 'opaque', output_format: 'jpeg' }, gen), undefined);
});

test('the first violation in rule order is the one reported', () => {
  assert.equal(checkImageRequest('gpt-image-2', { prompt: '', n: 0, size: 'big' }, gen)?.param, 'prompt');
  assert.equal(checkImageRequest('gpt-image-2', { prompt: 'x', n: 0, size: 'big' }, gen)?.param, 'n');
  assert.equal(checkImageRequest('gpt-image-2', { prompt: 'x', size: 'big', quality: 'ultra' }, gen)?.param, 'size');
  assert.equal(checkImageRequest('gpt-image-2', { prompt: 'x', quality: 'ultra', output_format: 'gif' }, gen)?.param, 'quality');
  assert.equal(checkImageRequest('gpt-image-2', { prompt: 'x', output_format: 'gif', output_compression: 500 }, gen)?.param, 'output_format');
  assert.equal(checkImageRequest('gpt-image-2', { prompt: 'x', output_compression: 500, partial_images: 9 }, gen)?.param, 'output_compression');
  assert.equal(checkImageRequest('gpt-image-2', { prompt: 'x', partial_images: 9, background: 'clear' }, gen)?.param, 'partial_images');
  assert.equal(checkImageRequest('gpt-image-2', { prompt: 'x', background: 'clear', moderation: 'high' }, gen)?.param, 'background');
  assert.equal(checkImageRequest('gpt-image-2', { prompt: 'x', moderation: 'high', stream: 'yes' }, gen)?.param, 'moderation');
  assert.equal(checkImageRequest('gpt-image-2', { prompt: 'x', stream: 'yes', input_fidelity: 'high' }, gen)?.param, 'stream');
  assert.equal(checkImageRequest('dall-e-3', { prompt: 'x', response_format: 'bad', style: 'bold' }, gen)?.param, 'style');
  assert.equal(checkImageRequest('dall-e-3', { prompt: 'x', background: 'auto', n: 5 }, gen)?.param, 'background');
});

test('stream options read from JSON and multipart, with defaults', () => {
  assert.deepEqual(readStreamOptions({}), { stream: false, partialImages: 0, n: 1 });
  assert.deepEqual(readStreamOptions({ stream: 'true', partial_images: '2', n: '3' }), { stream: true, partialImages: 2, n: 3 });
  assert.deepEqual(readStreamOptions({ stream: true, partial_images: 1, n: 4 }), { stream: true, partialImages: 1, n: 4 });
  assert.deepEqual(readStreamOptions({ stream: 'maybe', partial_images: 'x', n: 2.5 }), { stream: false, partialImages: 0, n: 1 });
});
