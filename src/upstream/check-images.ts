// A 200 from an upstream is not yet a result: every image is decoded and checked (base64, format,
// dimensions, count) before the job may succeed, so a broken upstream costs a retry elsewhere
// instead of handing the client a "successful" job with bytes that are not an image.
import sharp, { type Metadata } from 'sharp';
import type { ImagesResponse } from '../wire/openai-images.js';

const FORMATS = new Set(['png', 'jpeg', 'webp']);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
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

async function checkOne(b64: string, index: number, expect: ImageExpectations): Promise<string | undefined> {
  if (b64.length % 4 !== 0 || !BASE64.test(b64)) return `image ${index} is not valid base64`;
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length > expect.maxImageBytes) return `image ${index} is larger than ${expect.maxImageBytes} bytes (upstream.max_image_bytes)`;
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { failOn: 'truncated', limitInputPixels: MAX_EDGE * MAX_EDGE }).metadata();
    // metadata() reads the header only; a tiny resize decodes every pixel without holding them.
    await sharp(bytes, { failOn: 'truncated', limitInputPixels: MAX_EDGE * MAX_EDGE }).resize(8, 8, { fit: 'fill' }).raw().toBuffer();
  } catch (error) {
    return `image ${index} does not decode (${error instanceof Error ? error.message : String(error)})`;
  }
  if (!meta.format || !FORMATS.has(meta.format)) return `image ${index} is ${meta.format ?? 'of an unknown format'}, not png, jpeg or webp`;
  if (meta.format !== expect.format) return `image ${index} is ${meta.format}, but ${expect.format} was asked for`;
  const { width = 0, height = 0 } = meta;
  if (expect.size && (width !== expect.size.width || height !== expect.size.height)) {
    return `image ${index} is ${width}x${height}, but ${expect.size.width}x${expect.size.height} was asked for`;
  }
  return undefined;
}

/**
 * Checks an upstream's answer; returns the response with a trustworthy output_format (the decoded
 * one), or why it is not a result. Items with a `url` (dall-e `response_format: url`) are not fetched.
 */
export async function checkImagesResponse(
  response: ImagesResponse, expect: ImageExpectations,
): Promise<{ ok: true; response: ImagesResponse } | { ok: false; reason: string }> {
  if (response.data.length < expect.n) return { ok: false, reason: `the upstream returned ${response.data.length} image(s) for n=${expect.n}` };
  for (const [index, item] of response.data.entries()) {
    if (typeof item.b64_json === 'string') {
      const problem = await checkOne(item.b64_json, index, expect);
      if (problem) return { ok: false, reason: problem };
    } else if (typeof item.url !== 'string') {
      return { ok: false, reason: `image ${index} has neither b64_json nor url` };
    }
  }
  // An odd output_format would name the blob file; the decoded format is the truth.
  if (response.output_format === undefined || FORMATS.has(response.output_format)) {
    return { ok: true, response: response.output_format === undefined || response.output_format === expect.format ? response : { ...response, output_format: expect.format } };
  }
  return { ok: true, response: { ...response, output_format: expect.format } };
}
