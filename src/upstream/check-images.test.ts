// The structural image check: what sharp encodes passes with its format and size; bytes that are
// not base64, not an image, of another format or size, truncated or corrupted are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { base64ImageShape, checkImagesResponse, expectationsOf, imageShape } from './check-images.js';

async function encode(format: 'png' | 'jpeg' | 'webp', width: number, height: number, options: { lossless?: boolean; progressive?: boolean } = {}): Promise<Buffer> {
  const image = sharp({ create: { width, height, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } });
  if (format === 'png') return image.png().toBuffer();
  if (format === 'jpeg') return image.jpeg({ progressive: options.progressive }).toBuffer();
  return image.webp({ lossless: options.lossless }).toBuffer();
}

const expect = (fields: Record<string, unknown>) => expectationsOf(fields, 1024 * 1024);
const answer = (bytes: Buffer | string) => ({ created: 1, data: [{ b64_json: typeof bytes === 'string' ? bytes : bytes.toString('base64') }] });

test('PNG, baseline and progressive JPEG, lossy and lossless WebP pass with their format and size', async () => {
  const cases: Array<[Buffer, string]> = [
    [await encode('png', 64, 40), 'png'],
    [await encode('jpeg', 64, 40), 'jpeg'],
    [await encode('jpeg', 64, 40, { progressive: true }), 'jpeg'],
    [await encode('webp', 64, 40), 'webp'],
    [await encode('webp', 64, 40, { lossless: true }), 'webp'],
    [await sharp({ create: { width: 64, height: 40, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0.5 } } }).webp().toBuffer(), 'webp'],
  ];
  for (const [bytes, format] of cases) {
    assert.deepEqual(imageShape(bytes), { format, width: 64, height: 40 });
    const verdict = checkImagesResponse(answer(bytes), expect({ size: '64x40', output_format: format }));
    assert.equal(verdict.ok, true, JSON.stringify(verdict));
  }
});

test('base64 is refused when it has foreign letters, base64url letters, bad padding or a bad length', () => {
  const good = Buffer.from('some bytes!').toString('base64');
  assert.equal(base64ImageShape(good), 'not a PNG, JPEG or WebP image');
  for (const bad of ['!!!not base64!!!', 'ab-_', 'ab==cd==', 'a=bc', 'abc', 'ab c', 'abé=', `${good.slice(0, -4)}\n${good.slice(-3)}`]) {
    assert.equal(base64ImageShape(bad), 'not valid base64', bad);
    const verdict = checkImagesResponse(answer(bad), expect({}));
    assert.equal(verdict.ok, false);
  }
});

test('bytes that are not an image, another format or another size are refused with the reason', async () => {
  const png = await encode('png', 64, 40);
  const refused = (bytes: Buffer | string, fields: Record<string, unknown>): string => {
    const verdict = checkImagesResponse(answer(bytes), expect(fields));
    assert.equal(verdict.ok, false);
    return verdict.ok ? '' : verdict.reason;
  };
  assert.match(refused(Buffer.from('hello world, no image'), {}), /not a PNG, JPEG or WebP/);
  assert.match(refused(Buffer.from('GIF89a fake'), {}), /not a PNG, JPEG or WebP/);
  assert.match(refused(png, { output_format: 'jpeg' }), /png, but jpeg was asked for/);
  assert.match(refused(png, { size: '1024x1024' }), /64x40, but 1024x1024 was asked for/);
  assert.match(refused(png, { n: 2 }), /1 image\(s\) for n=2/);
});

test('truncated or corrupted images of every format are refused', async () => {
  const png = await encode('png', 64, 40);
  const flipped = Buffer.from(png);
  flipped[Math.floor(png.length / 2)] ^= 0xff;
  const cases: Buffer[] = [png.subarray(0, png.length - 12), png.subarray(0, Math.floor(png.length / 2)), flipped, png.subarray(0, 8)];
  for (const format of ['jpeg', 'webp'] as const) {
    const bytes = await encode(format, 64, 40);
    cases.push(bytes.subarray(0, bytes.length - 10), bytes.subarray(0, 40));
  }
  for (const bytes of cases) assert.equal(typeof imageShape(bytes), 'string', bytes.subarray(0, 4).toString('hex'));
});

test('an image over max_image_bytes is refused before it is decoded', async () => {
  const png = await encode('png', 64, 40);
  const verdict = checkImagesResponse(answer(png), expectationsOf({}, 100));
  assert.equal(verdict.ok, false);
  assert.match(verdict.ok ? '' : verdict.reason, /larger than 100 bytes/);
});

test('a large image is checked a window at a time: the same verdicts as on its bytes, a bad letter anywhere is caught', async () => {
  const big = await sharp({ create: { width: 1200, height: 900, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).png({ compressionLevel: 1 }).toBuffer();
  assert.ok(big.length > 2 * 1024 * 1024, 'spans several 1 MiB windows');
  const b64 = big.toString('base64');
  assert.deepEqual(base64ImageShape(b64), { format: 'png', width: 1200, height: 900 });
  for (const at of [10, Math.floor(b64.length / 2), b64.length - 10]) {
    assert.equal(base64ImageShape(`${b64.slice(0, at)}*${b64.slice(at + 1)}`), 'not valid base64', `bad letter at ${at}`);
  }
  const flipped = Buffer.from(big);
  flipped[flipped.length - 100_000] ^= 0x01;
  assert.match(String(base64ImageShape(flipped.toString('base64'))), /fails its CRC/);
  assert.match(String(base64ImageShape(big.subarray(0, big.length - 5).toString('base64'))), /truncated/);
  const withTail = Buffer.concat([big, Buffer.from('trailing')]).toString('base64');
  assert.deepEqual(base64ImageShape(`${withTail.slice(0, -6)}*${withTail.slice(-5)}`), 'not valid base64', 'bytes after IEND are checked too');
  for (const format of ['jpeg', 'webp'] as const) {
    const bytes = await encode(format, 1200, 900);
    const text = bytes.toString('base64');
    assert.deepEqual(base64ImageShape(text), { format, width: 1200, height: 900 });
    assert.equal(base64ImageShape(`${text.slice(0, 5000)}*${text.slice(5001)}`), 'not valid base64');
  }
});
