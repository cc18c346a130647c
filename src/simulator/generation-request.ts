// Turns validated request fields into what the generation needs: resolved size, quality, format.
import type { ImageEndpoint } from '../wire/openai-images.js';
import { parseSize, readStreamOptions, type ImageFields } from '../wire/image-rules.js';
import type { GenerationRequest } from './generation.js';
import type { OutputFormat } from './images.js';
import { resolveQuality } from './timeline.js';

/** `size: auto` (and anything unparsable that passed the model's rules) renders at 1024x1024. */
const AUTO_SIZE = { width: 1024, height: 1024 };

function str(value: unknown, fallback: string): string {
  return value === undefined || value === null ? fallback : String(value);
}

function outputFormat(value: unknown): OutputFormat {
  return value === 'jpeg' || value === 'webp' ? value : 'png';
}

export function toGenerationRequest(endpoint: ImageEndpoint, fields: ImageFields, inputImages: number): GenerationRequest {
  const requestedSize = str(fields.size, 'auto');
  const { width, height } = parseSize(requestedSize) ?? AUTO_SIZE;
  const requestedQuality = str(fields.quality, 'auto');
  const stream = readStreamOptions(fields);
  const compression = Number(str(fields.output_compression, '100'));
  return {
    endpoint,
    prompt: str(fields.prompt, ''),
    width,
    height,
    requestedSize,
    requestedQuality,
    quality: resolveQuality(requestedQuality),
    requestedBackground: str(fields.background, 'auto'),
    format: outputFormat(fields.output_format),
    compression: Number.isFinite(compression) ? compression : 100,
    n: Math.max(1, stream.n),
    partialImages: stream.stream ? stream.partialImages : 0,
    stream: stream.stream,
    inputImages,
  };
}
