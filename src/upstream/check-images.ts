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
/** Bytes decoded at a time: a 25 MB image is never held decoded here, only this much of it. */
const WINDOW = 1024 * 1024;

/** Bytes read by range: a Buffer, or base64 text decoded a window at a time. */
interface ByteSource {
  readonly length: number;
  /** Bytes [start, end), end clamped to the length; throws NotBase64 where the text is not canonical base64. */
  read(start: number, end: number): Buffer;
}

class NotBase64 extends Error {}

const bufferSource = (bytes: Buffer): ByteSource => ({ length: bytes.length, read: (start, end) => bytes.subarray(start, end) });

/**
 * Base64 text as bytes, each read decoding only the characters it covers. Node's decoder skips what
 * it does not know (and accepts base64url), so text is canonical base64 exactly when its length is a
 * multiple of 4, it has no base64url letters, and every window decodes to the length it promises
 * (a scan of 35 MB by a regular expression took a second on a loaded machine).
 */
class Base64Source implements ByteSource {
  readonly length: number;
  private readonly padding: number;

  constructor(private readonly b64: string) {
    if (b64.length % 4 !== 0 || b64.includes('-') || b64.includes('_')) throw new NotBase64();
    this.padding = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
    this.length = (b64.length / 4) * 3 - this.padding;
  }

  /** The last window decoded: most reads (chunk headers, small chunks) fall inside it. */
  private window = { start: 0, bytes: Buffer.alloc(0) };

  read(start: number, end: number): Buffer {
    const last = Math.min(end, this.length);
    if (last <= start) return Buffer.alloc(0);
    const { window } = this;
    if (start >= window.start && last <= window.start + window.bytes.length) return window.bytes.subarray(start - window.start, last - window.start);
    const from = Math.floor(start / 3) * 4;
    const to = Math.min(this.b64.length, Math.ceil(Math.min(this.length, Math.max(last, start + WINDOW)) / 3) * 4);
    const bytes = Buffer.from(this.b64.slice(from, to), 'base64');
    if (bytes.length !== ((to - from) / 4) * 3 - (to === this.b64.length ? this.padding : 0)) throw new NotBase64();
    this.window = { start: (from / 4) * 3, bytes };
    return bytes.subarray(start - this.window.start, last - this.window.start);
  }

  /** Reads [start, length) a window at a time, so every character has been checked. */
  checkFrom(start: number): void {
    for (let at = start; at < this.length; at += WINDOW) this.read(at, at + WINDOW);
  }
}

/** A shape, or what is wrong; `checkedTo`: the bytes [0, checkedTo) were all read. */
type Walk = { shape: ImageShape; checkedTo: number } | string;

const chunkType = (name: string): number => Buffer.from(name, 'latin1').readUInt32BE(0);
const IHDR = chunkType('IHDR');
const IDAT = chunkType('IDAT');
const IEND = chunkType('IEND');

/** The chunk's CRC (over type and data) matches the stored one; a chunk within a window is one read and one crc32 call. */
function pngChunkCrcOk(src: ByteSource, at: number, end: number): boolean {
  if (end - at <= WINDOW) {
    const chunk = src.read(at, end);
    return crc32(chunk.subarray(4, chunk.length - 4)) === chunk.readUInt32BE(chunk.length - 4);
  }
  let crc = 0;
  for (let from = at + 4; from < end - 4; from += WINDOW) crc = crc32(src.read(from, Math.min(from + WINDOW, end - 4)), crc);
  return crc === src.read(end - 4, end).readUInt32BE(0);
}

function pngShape(src: ByteSource): Walk {
  let at = PNG_SIGNATURE.length;
  let width = 0;
  let height = 0;
  let sawData = false;
  while (at + 12 <= src.length) {
    const head = src.read(at, at + 16);
    const length = head.readUInt32BE(0);
    const type = head.readUInt32BE(4);
    const end = at + 12 + length;
    const name = (): string => head.toString('latin1', 4, 8);
    if (end > src.length) return `a PNG truncated inside its ${name()} chunk`;
    if (!pngChunkCrcOk(src, at, end)) return `a PNG whose ${name()} chunk fails its CRC`;
    if (at === PNG_SIGNATURE.length) {
      if (type !== IHDR || length !== 13) return 'a PNG that does not start with IHDR';
      width = head.readUInt32BE(8);
      height = head.readUInt32BE(12);
    } else if (type === IDAT) sawData = true;
    else if (type === IEND) return sawData ? { shape: { format: 'png', width, height }, checkedTo: end } : 'a PNG without image data';
    at = end;
  }
  return 'a PNG truncated before IEND';
}

/** Start-of-frame markers (baseline, progressive, lossless, arithmetic): not DHT (C4), JPG (C8), DAC (CC). */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function jpegShape(src: ByteSource): Walk {
  let at = 2;
  let size: { width: number; height: number } | undefined;
  while (at + 4 <= src.length) {
    const head = src.read(at, at + 9);
    if (head[0] !== 0xff) return 'a JPEG whose segments do not line up';
    const marker = head[1];
    if (marker === 0xff) { at += 1; continue; }
    const length = head.readUInt16BE(2);
    if (length < 2 || at + 2 + length > src.length) return 'a JPEG truncated inside a segment';
    if (isStartOfFrame(marker) && length >= 7) size = { height: head.readUInt16BE(5), width: head.readUInt16BE(7) };
    if (marker === 0xda) {
      // Entropy-coded data follows; FF D9 appears in it only as the end of the image.
      if (!size) return 'a JPEG without a frame header before its scan';
      const eoi = src.read(src.length - 2, src.length);
      if (eoi[0] !== 0xff || eoi[1] !== 0xd9) return 'a JPEG truncated before EOI';
      return { shape: { format: 'jpeg', ...size }, checkedTo: 0 };
    }
    at += 2 + length;
  }
  return 'a JPEG truncated before its scan';
}

function webpShape(src: ByteSource): Walk {
  const bytes = src.read(0, 30);
  if (bytes.length < 30 || bytes.toString('latin1', 8, 12) !== 'WEBP') return 'a RIFF file that is not WebP';
  if (bytes.readUInt32LE(4) + 8 > src.length) return 'a WebP truncated before its RIFF length';
  const chunk = bytes.toString('latin1', 12, 16);
  const chunkLength = bytes.readUInt32LE(16);
  if (20 + chunkLength > src.length) return `a WebP truncated inside its ${chunk} chunk`;
  const webp = (width: number, height: number): Walk => ({ shape: { format: 'webp', width, height }, checkedTo: 0 });
  if (chunk === 'VP8 ') {
    if (bytes[23] !== 0x9d || bytes[24] !== 0x01 || bytes[25] !== 0x2a) return 'a WebP whose VP8 frame has no start code';
    return webp(bytes.readUInt16LE(26) & 0x3fff, bytes.readUInt16LE(28) & 0x3fff);
  }
  if (chunk === 'VP8L') {
    if (bytes[20] !== 0x2f) return 'a WebP whose VP8L header has no signature';
    const bits = bytes.readUInt32LE(21);
    return webp((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  if (chunk === 'VP8X') return webp(bytes.readUIntLE(24, 3) + 1, bytes.readUIntLE(27, 3) + 1);
  return `a WebP whose first chunk is ${JSON.stringify(chunk)}`;
}

function walk(src: ByteSource): Walk {
  const head = src.read(0, 12);
  if (head.length >= 8 && head.subarray(0, 8).equals(PNG_SIGNATURE)) return pngShape(src);
  if (head.length >= 4 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return jpegShape(src);
  if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF') return webpShape(src);
  return 'not a PNG, JPEG or WebP image';
}

/** The format and size of a complete PNG, JPEG or WebP; otherwise what is wrong with the bytes. */
export function imageShape(bytes: Buffer): ImageShape | string {
  const walked = walk(bufferSource(bytes));
  return typeof walked === 'string' ? walked : walked.shape;
}

/** The shape of the image base64 text holds, checked a window at a time; what is wrong otherwise. */
export function base64ImageShape(b64: string): ImageShape | string {
  try {
    const src = new Base64Source(b64);
    const walked = walk(src);
    if (typeof walked === 'string') return walked;
    src.checkFrom(walked.checkedTo);
    return walked.shape;
  } catch (error) {
    if (error instanceof NotBase64) return 'not valid base64';
    throw error;
  }
}

function checkOne(b64: string, index: number, expect: ImageExpectations): string | undefined {
  // Past the bound (by the length the base64 promises), it is not even decoded.
  if (Math.floor(b64.length / 4) * 3 - 2 > expect.maxImageBytes) return `image ${index} is larger than ${expect.maxImageBytes} bytes (upstream.max_image_bytes)`;
  const shape = base64ImageShape(b64);
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
