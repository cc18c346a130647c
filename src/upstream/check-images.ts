// A 200 from an upstream is not yet a result: every image is checked (base64, format, dimensions,
// count, complete structure) before the job may succeed, so a broken upstream costs a retry
// elsewhere instead of handing the client a "successful" job with bytes that are not an image.
// The check is structural, never a decode (issue 11: decoding a 25 MB PNG cost more than the whole
// relay): PNG chunk by chunk to IEND with every CRC, JPEG from SOI through its frame header to EOI,
// WebP's RIFF length and its VP8/VP8L/VP8X header. A stream that is well framed but whose pixels do
// not inflate is not caught; an upstream that produces those is not one this check is for.
import { crc32 } from 'node:zlib';
import type { ImagesResponse } from '../wire/openai-images.js';

const FORMATS = new Set(['png', 'jpeg', 'webp']);
const MAX_EDGE = 8192;

export interface ImageExpectations {
  n: number;
  /** The requested output_format (GPT image models); png when unset. */
  format: string;
  /** The requested WIDTHxHEIGHT, when it was one (not `auto`). */
  size?: { width: number; height: number };
  maxImageBytes: number;
}

export function expectationsOf(fields: Record<string, unknown>, maxImageBytes: number): ImageExpectations {
  const n = Number(fields.n ?? 1);
  const m = typeof fields.size === 'string' ? /^(\d{1,5})x(\d{1,5})$/.exec(fields.size) : null;
  return {
    n: Number.isInteger(n) && n > 0 ? n : 1,
    format: typeof fields.output_format === 'string' && FORMATS.has(fields.output_format) ? fields.output_format : 'png',
    size: m ? { width: Number(m[1]), height: Number(m[2]) } : undefined,
    maxImageBytes,
  };
}

export interface ImageShape {
  format: 'png' | 'jpeg' | 'webp';
  width: number;
  height: number;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngShape(bytes: Buffer): ImageShape | string {
  let at = PNG_SIGNATURE.length;
  let width = 0;
  let height = 0;
  let sawData = false;
  while (at + 12 <= bytes.length) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    const end = at + 12 + length;
    if (end > bytes.length) return `a PNG truncated inside its ${type} chunk`;
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== bytes.readUInt32BE(at + 8 + length)) return `a PNG whose ${type} chunk fails its CRC`;
    if (at === PNG_SIGNATURE.length) {
      if (type !== 'IHDR' || length !== 13) return 'a PNG that does not start with IHDR';
      width = bytes.readUInt32BE(at + 8);
      height = bytes.readUInt32BE(at + 12);
    } else if (type === 'IDAT') sawData = true;
    else if (type === 'IEND') return sawData ? { format: 'png', width, height } : 'a PNG without image data';
    at = end;
  }
  return 'a PNG truncated before IEND';
}

/** Start-of-frame markers (baseline, progressive, lossless, arithmetic): not DHT (C4), JPG (C8), DAC (CC). */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function jpegShape(bytes: Buffer): ImageShape | string {
  let at = 2;
  let size: { width: number; height: number } | undefined;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return 'a JPEG whose segments do not line up';
    const marker = bytes[at + 1];
    if (marker === 0xff) { at += 1; continue; }
    const length = bytes.readUInt16BE(at + 2);
    if (length < 2 || at + 2 + length > bytes.length) return 'a JPEG truncated inside a segment';
    if (isStartOfFrame(marker) && length >= 7) size = { height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7) };
    if (marker === 0xda) {
      // Entropy-coded data follows; FF D9 appears in it only as the end of the image.
      if (!size) return 'a JPEG without a frame header before its scan';
      if (bytes[bytes.length - 2] !== 0xff || bytes[bytes.length - 1] !== 0xd9) return 'a JPEG truncated before EOI';
      return { format: 'jpeg', ...size };
    }
    at += 2 + length;
  }
  return 'a JPEG truncated before its scan';
}

function webpShape(bytes: Buffer): ImageShape | string {
  if (bytes.length < 30 || bytes.toString('latin1', 8, 12) !== 'WEBP') return 'a RIFF file that is not WebP';
  if (bytes.readUInt32LE(4) + 8 > bytes.length) return 'a WebP truncated before its RIFF length';
  const chunk = bytes.toString('latin1', 12, 16);
  const chunkLength = bytes.readUInt32LE(16);
  if (20 + chunkLength > bytes.length) return `a WebP truncated inside its ${chunk} chunk`;
  if (chunk === 'VP8 ') {
    if (bytes[23] !== 0x9d || bytes[24] !== 0x01 || bytes[25] !== 0x2a) return 'a WebP whose VP8 frame has no start code';
    return { format: 'webp', width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff };
  }
  if (chunk === 'VP8L') {
    if (bytes[20] !== 0x2f) return 'a WebP whose VP8L header has no signature';
    const bits = bytes.readUInt32LE(21);
    return { format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') return { format: 'webp', width: bytes.readUIntLE(24, 3) + 1, height: bytes.readUIntLE(27, 3) + 1 };
  return `a WebP whose first chunk is ${JSON.stringify(chunk)}`;
}

/** The format and size of a complete PNG, JPEG or WebP; otherwise what is wrong with the bytes. */
export function imageShape(bytes: Buffer): ImageShape | string {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return pngShape(bytes);
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return jpegShape(bytes);
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF') return webpShape(bytes);
  return 'not a PNG, JPEG or WebP image';
}

/**
 * The bytes of a base64 string, or undefined when it is not canonical base64. Node's decoder skips
 * what it does not know (and accepts base64url), so a string is base64 exactly when its length is a
 * multiple of 4, it has no base64url letters, and it decodes to the length its padding promises:
 * a scan of 35 MB by a regular expression took a second, this takes a few milliseconds.
 */
export function decodeBase64(b64: string): Buffer | undefined {
  if (b64.length % 4 !== 0 || b64.includes('-') || b64.includes('_')) return undefined;
  const padding = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  const bytes = Buffer.from(b64, 'base64');
  return bytes.length === (b64.length / 4) * 3 - padding ? bytes : undefined;
}

function checkOne(b64: string, index: number, expect: ImageExpectations): string | undefined {
  // Past the bound (by the length the base64 promises), it is not even decoded.
  if (Math.floor(b64.length / 4) * 3 - 2 > expect.maxImageBytes) return `image ${index} is larger than ${expect.maxImageBytes} bytes (upstream.max_image_bytes)`;
  const bytes = decodeBase64(b64);
  if (!bytes) return `image ${index} is not valid base64`;
  const shape = imageShape(bytes);
  if (typeof shape === 'string') return `image ${index} is ${shape}`;
  if (shape.width === 0 || shape.height === 0 || shape.width > MAX_EDGE || shape.height > MAX_EDGE) {
    return `image ${index} is ${shape.width}x${shape.height}, outside 1..${MAX_EDGE} pixels a side`;
  }
  if (shape.format !== expect.format) return `image ${index} is ${shape.format}, but ${expect.format} was asked for`;
  if (expect.size && (shape.width !== expect.size.width || shape.height !== expect.size.height)) {
    return `image ${index} is ${shape.width}x${shape.height}, but ${expect.size.width}x${expect.size.height} was asked for`;
  }
  return undefined;
}

/**
 * Checks an upstream's answer; returns the response with a trustworthy output_format (the checked
 * one), or why it is not a result. Items with a `url` (dall-e `response_format: url`) are not fetched.
 */
export function checkImagesResponse(
  response: ImagesResponse, expect: ImageExpectations,
): { ok: true; response: ImagesResponse } | { ok: false; reason: string } {
  if (response.data.length < expect.n) return { ok: false, reason: `the upstream returned ${response.data.length} image(s) for n=${expect.n}` };
  for (const [index, item] of response.data.entries()) {
    if (typeof item.b64_json === 'string') {
      const problem = checkOne(item.b64_json, index, expect);
      if (problem) return { ok: false, reason: problem };
    } else if (typeof item.url !== 'string') {
      return { ok: false, reason: `image ${index} has neither b64_json nor url` };
    }
  }
  // An odd output_format would name the blob file; the checked format is the truth.
  const trusted = response.output_format === undefined || response.output_format === expect.format;
  return { ok: true, response: trusted ? response : { ...response, output_format: expect.format } };
}
