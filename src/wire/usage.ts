// What an attempt was billed, in tokens: the upstream's `usage` read into one shape
// (wire-format §3, §4.2, §4.5), or estimated for a billed attempt that failed. Pure functions;
// cost/prices.ts prices them, the engine records them on each attempt.

/** Tokens of one attempt, split the way image models are priced. */
export interface TokenUsage {
  text_input_tokens: number;
  image_input_tokens: number;
  image_output_tokens: number;
  /** Output text tokens, when the upstream reports `output_tokens_details.text_tokens`. */
  text_output_tokens: number;
  /** True when holdfast estimated the tokens (a billed attempt that failed carries no usage). */
  estimated: boolean;
}

/** Image output tokens each partial image adds (wire-format §4.5, OAI-GUIDE "Partial images cost"). */
export const PARTIAL_IMAGE_TOKENS = 100;

export type TokenQuality = 'low' | 'medium' | 'high';

/** Output tokens per image at 1024x1024 by quality (wire-format §3, OAI-GUIDE table). */
const OUTPUT_TOKENS: Record<TokenQuality, number> = { low: 272, medium: 1056, high: 4160 };

/** The guide's exact counts for the two other documented sizes (wire-format §3). */
const DOCUMENTED_TOKENS: Record<string, Record<TokenQuality, number>> = {
  '1024x1536': { low: 408, medium: 1584, high: 6240 },
  '1536x1024': { low: 400, medium: 1568, high: 6208 },
};

/** Image output tokens of one image: the documented count, else the 1024x1024 count scaled by area. */
export function outputTokensPerImage(width: number, height: number, quality: TokenQuality): number {
  const documented = DOCUMENTED_TOKENS[`${width}x${height}`];
  if (documented) return documented[quality];
  return Math.round((OUTPUT_TOKENS[quality] * width * height) / 1_048_576);
}

/** Text tokens of a prompt, at about 4 characters per token. */
function promptTokens(prompt: unknown): number {
  return typeof prompt === 'string' && prompt.length > 0 ? Math.max(1, Math.ceil(prompt.length / 4)) : 0;
}

/**
 * What a request will probably be billed, erring high, for a budget reservation before the
 * upstream is called: the prompt, the guide's output tokens of each image at its size and quality
 * (`auto` or absent: high quality; size `auto` or absent: 1024x1536, the dearest documented size)
 * and 100 tokens per requested partial image. Input images of edits are not estimated.
 */
export function estimateRequestUsage(request: { fields: Record<string, unknown>; stream: boolean; partialImages: number }): TokenUsage {
  const { fields } = request;
  const quality: TokenQuality = fields.quality === 'low' || fields.quality === 'medium' ? fields.quality : 'high';
  const size = typeof fields.size === 'string' ? /^(\d+)x(\d+)$/.exec(fields.size) : null;
  const [width, height] = size ? [Number(size[1]), Number(size[2])] : [1024, 1536];
  const n = typeof fields.n === 'number' && Number.isInteger(fields.n) && fields.n > 0 ? fields.n : 1;
  const partials = request.stream ? Math.max(0, request.partialImages) : 0;
  return {
    text_input_tokens: promptTokens(fields.prompt), image_input_tokens: 0,
    image_output_tokens: outputTokensPerImage(width, height, quality) * n + PARTIAL_IMAGE_TOKENS * partials,
    text_output_tokens: 0, estimated: true,
  };
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * Reads an `ImagesUsage` / `ImageGenUsage` object. Output tokens are image tokens unless
 * `output_tokens_details` splits them; input tokens without details count as text.
 */
export function readUsage(raw: unknown): TokenUsage | undefined {
  const usage = record(raw);
  if (!usage) return undefined;
  const inputDetails = record(usage.input_tokens_details);
  const outputDetails = record(usage.output_tokens_details);
  const input = count(usage.input_tokens);
  const imageInput = inputDetails ? count(inputDetails.image_tokens) : 0;
  const textInput = inputDetails && inputDetails.text_tokens !== undefined ? count(inputDetails.text_tokens) : Math.max(0, input - imageInput);
  const output = count(usage.output_tokens);
  const textOutput = outputDetails ? count(outputDetails.text_tokens) : 0;
  const imageOutput = outputDetails && outputDetails.image_tokens !== undefined ? count(outputDetails.image_tokens) : Math.max(0, output - textOutput);
  return { text_input_tokens: textInput, image_input_tokens: imageInput, image_output_tokens: imageOutput, text_output_tokens: textOutput, estimated: false };
}

/**
 * What a failed attempt that the upstream had started generating was billed, estimated: the
 * partial images it sent (100 image output tokens each) and the prompt (about 4 characters per
 * token). Input images of edits are not estimated (their token count depends on the model).
 */
export function estimateLostUsage(prompt: unknown, partialsReceived: number): TokenUsage {
  return {
    text_input_tokens: promptTokens(prompt), image_input_tokens: 0, image_output_tokens: PARTIAL_IMAGE_TOKENS * Math.max(0, partialsReceived),
    text_output_tokens: 0, estimated: true,
  };
}

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    text_input_tokens: a.text_input_tokens + b.text_input_tokens,
    image_input_tokens: a.image_input_tokens + b.image_input_tokens,
    image_output_tokens: a.image_output_tokens + b.image_output_tokens,
    text_output_tokens: a.text_output_tokens + b.text_output_tokens,
    estimated: a.estimated || b.estimated,
  };
}

export const ZERO_USAGE: TokenUsage = { text_input_tokens: 0, image_input_tokens: 0, image_output_tokens: 0, text_output_tokens: 0, estimated: false };
