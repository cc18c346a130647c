// A priori duration of a generation, from published figures (design.md: 1024x1024 low ≈ 20 s,
// 2048x2048 high 200–250 s). Used to decide how to keep an upstream call under its idle limit
// and as the router's latency prior until real measurements exist.
import { parseSize } from '../wire/image-rules.js';

const QUALITY_FACTOR: Record<string, number> = { low: 1, medium: 1.7, standard: 1.7, high: 2.8, hd: 2.8, auto: 2.8 };

export function expectedDurationMs(fields: { size?: unknown; quality?: unknown; n?: unknown }): number {
  const dims = typeof fields.size === 'string' ? parseSize(fields.size) : undefined;
  const megapixels = dims ? (dims.width * dims.height) / 1_048_576 : 1;
  const quality = QUALITY_FACTOR[typeof fields.quality === 'string' ? fields.quality : 'auto'] ?? 2.8;
  const n = Math.max(1, Number(fields.n ?? 1) || 1);
  return Math.round(22_000 * megapixels * quality * (1 + 0.5 * (n - 1)));
}
