// The upstreams' request rules per model (wire-format §1.1, §1.2, §2.1). The gateway checks them
// before any upstream call; the simulator answers them with the upstream's 400. Unknown models: no rules.
import type { ImageEndpoint } from './openai-images.js';

export type ModelFamily = 'gpt-image-2' | 'gpt-image-1' | 'dall-e-3' | 'dall-e-2';

export interface RuleViolation {
  param: string;
  message: string;
  code: 'invalid_value' | 'unknown_parameter' | 'missing_required_parameter' | 'invalid_type';
}

/** Request fields as the rules see them: multipart values arrive as strings and are coerced. */
export type ImageFields = Record<string, unknown>;

const GPT_IMAGE_1_SIZES = ['1024x1024', '1536x1024', '1024x1536', 'auto'];
const DALLE3_SIZES = ['1024x1024', '1792x1024', '1024x1792'];
const DALLE2_SIZES = ['256x256', '512x512', '1024x1024'];
const GPT_ONLY = ['background', 'moderation', 'output_format', 'output_compression', 'stream', 'partial_images'];

export function modelFamily(model: string): ModelFamily | undefined {
  if (/^gpt-image-2(-|$)/.test(model)) return 'gpt-image-2';
  if (/^(gpt-image-1(\.5)?(-mini)?(-|$)|chatgpt-image-latest$)/.test(model)) return 'gpt-image-1';
  if (/^dall-e-3(-|$)/.test(model)) return 'dall-e-3';
  if (/^dall-e-2(-|$)/.test(model)) return 'dall-e-2';
  return undefined;
}

/** Parses `WIDTHxHEIGHT`; undefined when the text is not that shape. */
export function parseSize(size: string): { width: number; height: number } | undefined {
  const m = /^(\d{1,5})x(\d{1,5})$/.exec(size);
  if (!m) return undefined;
  return { width: Number(m[1]), height: Number(m[2]) };
}

/** gpt-image-2's size rules (wire-format §1.2), as the error message a user should read. */
export function checkGptImage2Size(size: string): string | undefined {
  if (size === 'auto') return undefined;
  const dims = parseSize(size);
  if (!dims) return `Invalid size '${size}'. Expected WIDTHxHEIGHT, for example '1824x1024'.`;
  const { width, height } = dims;
  if (width % 16 !== 0 || height % 16 !== 0) {
    return `Invalid size '${size}'. Width and height must both be divisible by 16.`;
  }
  if (Math.max(width, height) > 3840) return `Invalid size '${size}'. The longest edge must be at most 3840 pixels.`;
  if (Math.max(width, height) > 3 * Math.min(width, height)) {
    return `Invalid size '${size}'. The aspect ratio must be between 1:3 and 3:1.`;
  }
  const pixels = width * height;
  if (pixels < 655_360 || pixels > 8_294_400) {
    return `Invalid size '${size}'. The total number of pixels must be between 655360 and 8294400.`;
  }
  return undefined;
}

function enumMessage(value: string, allowed: readonly string[]): string {
  const quoted = allowed.map((a) => `'${a}'`);
  const list = quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')}, and ${quoted[quoted.length - 1]}` : quoted[0];
  return `Invalid value: '${value}'. Supported values are: ${list}.`;
}

function toInt(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value);
  return undefined;
}

function toBool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

function present(fields: ImageFields, key: string): boolean {
  return fields[key] !== undefined && fields[key] !== null;
}

function checkEnum(fields: ImageFields, key: string, allowed: readonly string[]): RuleViolation | undefined {
  if (!present(fields, key)) return undefined;
  const value = fields[key];
  if (typeof value !== 'string' || !allowed.includes(value)) {
    return { param: key, code: 'invalid_value', message: enumMessage(String(value), allowed) };
  }
  return undefined;
}

function checkIntRange(fields: ImageFields, key: string, min: number, max: number): RuleViolation | undefined {
  if (!present(fields, key)) return undefined;
  const n = toInt(fields[key]);
  if (n === undefined) return { param: key, code: 'invalid_type', message: `Invalid type for '${key}': expected an integer.` };
  if (n < min || n > max) {
    const kind = n < min ? `below minimum value. Expected a value >= ${min}` : `above maximum value. Expected a value <= ${max}`;
    return { param: key, code: 'invalid_value', message: `Invalid '${key}': integer ${kind}, but got ${n} instead.` };
  }
  return undefined;
}

function checkPrompt(fields: ImageFields, maxChars: number): RuleViolation | undefined {
  const prompt = fields.prompt;
  if (prompt === undefined || prompt === null || prompt === '') {
    return { param: 'prompt', code: 'missing_required_parameter', message: "Missing required parameter: 'prompt'." };
  }
  if (typeof prompt !== 'string') return { param: 'prompt', code: 'invalid_type', message: "Invalid type for 'prompt': expected a string." };
  if (prompt.length > maxChars) {
    return { param: 'prompt', code: 'invalid_value', message: `Invalid 'prompt': string too long. Expected a string with maximum length ${maxChars}, but got a string with length ${prompt.length} instead.` };
  }
  return undefined;
}

export interface RuleOptions {
  endpoint: ImageEndpoint;
  /** Azure does not offer webp output (wire-format §1.1). */
  provider?: 'openai' | 'azure';
}

/** Checks one request against its model's rules; the first violation, or undefined when it passes. */
export function checkImageRequest(family: ModelFamily, fields: ImageFields, options: RuleOptions): RuleViolation | undefined {
  const gpt = family === 'gpt-image-2' || family === 'gpt-image-1';
  const first = (...checks: Array<() => RuleViolation | undefined>): RuleViolation | undefined => {
    for (const check of checks) {
      const v = check();
      if (v) return v;
    }
    return undefined;
  };
  return first(
    () => checkPrompt(fields, gpt ? 32_000 : family === 'dall-e-3' ? 4_000 : 1_000),
    () => (gpt && present(fields, 'response_format')
      ? { param: 'response_format', code: 'unknown_parameter', message: "Unknown parameter: 'response_format'." }
      : undefined),
    () => (!gpt ? unsupportedGptOnly(fields) : undefined),
    () => checkIntRange(fields, 'n', 1, family === 'dall-e-3' ? 1 : 10),
    () => checkSize(family, fields, options.endpoint),
    () => checkEnum(fields, 'quality', qualities(family, options.endpoint)),
    () => (family === 'dall-e-3' ? checkEnum(fields, 'style', ['vivid', 'natural']) : undefined),
    () => (!gpt ? checkEnum(fields, 'response_format', ['url', 'b64_json']) : undefined),
    () => (gpt ? checkGptOutput(fields, options) : undefined),
  );
}

function qualities(family: ModelFamily, endpoint: ImageEndpoint): string[] {
  if (family === 'dall-e-3') return ['standard', 'hd'];
  if (family === 'dall-e-2') return ['standard'];
  return endpoint === 'edits' ? ['standard', 'low', 'medium', 'high', 'auto'] : ['auto', 'low', 'medium', 'high'];
}

function unsupportedGptOnly(fields: ImageFields): RuleViolation | undefined {
  const key = GPT_ONLY.find((k) => present(fields, k) && !(k === 'stream' && toBool(fields[k]) === false));
  return key ? { param: key, code: 'unknown_parameter', message: `Unknown parameter: '${key}'.` } : undefined;
}

function checkSize(family: ModelFamily, fields: ImageFields, endpoint: ImageEndpoint): RuleViolation | undefined {
  if (!present(fields, 'size')) return undefined;
  const size = String(fields.size);
  if (family === 'gpt-image-2') {
    const message = checkGptImage2Size(size);
    return message ? { param: 'size', code: 'invalid_value', message } : undefined;
  }
  const allowed = family === 'gpt-image-1' ? GPT_IMAGE_1_SIZES
    : family === 'dall-e-3' ? DALLE3_SIZES
    : endpoint === 'edits' ? [...DALLE2_SIZES] : DALLE2_SIZES;
  return checkEnum(fields, 'size', allowed);
}

function checkGptOutput(fields: ImageFields, options: RuleOptions): RuleViolation | undefined {
  const formats = options.provider === 'azure' ? ['png', 'jpeg'] : ['png', 'jpeg', 'webp'];
  const violation = checkEnum(fields, 'output_format', formats)
    ?? checkIntRange(fields, 'output_compression', 0, 100)
    ?? checkIntRange(fields, 'partial_images', 0, 3)
    ?? checkEnum(fields, 'background', ['transparent', 'opaque', 'auto'])
    ?? checkEnum(fields, 'moderation', ['low', 'auto']);
  if (violation) return violation;
  if (present(fields, 'stream') && toBool(fields.stream) === undefined) {
    return { param: 'stream', code: 'invalid_type', message: "Invalid type for 'stream': expected a boolean." };
  }
  if (present(fields, 'input_fidelity') && options.endpoint === 'generations') {
    return { param: 'input_fidelity', code: 'unknown_parameter', message: "Unknown parameter: 'input_fidelity'." };
  }
  const format = present(fields, 'output_format') ? String(fields.output_format) : 'png';
  if (fields.background === 'transparent' && format === 'jpeg') {
    return { param: 'background', code: 'invalid_value', message: "Transparent background requires output_format 'png' or 'webp'." };
  }
  return undefined;
}

/** Reads the streaming knobs of a request (multipart strings included). */
export function readStreamOptions(fields: ImageFields): { stream: boolean; partialImages: number; n: number } {
  return {
    stream: toBool(fields.stream) ?? false,
    partialImages: toInt(fields.partial_images) ?? 0,
    n: toInt(fields.n) ?? 1,
  };
}
