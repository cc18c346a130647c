// The duration model: how long a generation takes in simulated ms, and when its partials arrive.
// Calibrated so 1024x1024 `low` ≈ 22 s and 2048x2048 `high` ≈ 245 s (design.md).
import type { Random } from '../time/random.js';

export type ResolvedQuality = 'low' | 'medium' | 'high';

const BASE_MS = 22_000;
const ONE_MEGAPIXEL = 1_048_576;
/** Time grows a little slower than pixels: fixed overhead dominates small images. */
const PIXEL_EXPONENT = 0.85;
const HIGH_FACTOR = 245_000 / (BASE_MS * 4 ** PIXEL_EXPONENT);
const QUALITY_FACTOR: Record<ResolvedQuality, number> = { low: 1, medium: 2, high: HIGH_FACTOR };
/** ±8 % jitter around the model. */
const JITTER = 0.08;

/** `auto` (and DALL·E's standard/hd) resolve like this; Azure documents `high` as the default. */
export function resolveQuality(quality: string | undefined): ResolvedQuality {
  if (quality === 'low' || quality === 'medium' || quality === 'high') return quality;
  if (quality === 'standard') return 'medium';
  return 'high';
}

export interface DurationInput {
  pixels: number;
  quality: ResolvedQuality;
  n: number;
  latencyFactor: number;
}

/** The model without jitter. */
export function nominalDurationMs(input: DurationInput): number {
  const megapixels = input.pixels / ONE_MEGAPIXEL;
  const nFactor = 1 + 0.5 * (Math.max(1, input.n) - 1);
  return BASE_MS * QUALITY_FACTOR[input.quality] * megapixels ** PIXEL_EXPONENT * nFactor * input.latencyFactor;
}

/** The model with ±8 % jitter drawn from the seeded Random (one draw). */
export function drawDurationMs(input: DurationInput, random: Random): number {
  const jitter = 1 + JITTER * (2 * random.next() - 1);
  return Math.round(nominalDurationMs(input) * jitter);
}

/** Partial k of N at T·(0.2 + 0.6·k/(N−1)); a single partial at 0.2·T. */
export function partialTimesMs(count: number, durationMs: number): number[] {
  if (count <= 0) return [];
  if (count === 1) return [Math.round(0.2 * durationMs)];
  return Array.from({ length: count }, (_, k) => Math.round(durationMs * (0.2 + (0.6 * k) / (count - 1))));
}

/**
 * When a mid-stream fault (error event or reset) strikes: 0.15·T after partial `afterPartial`
 * (clamped to the last partial; at 0.2·T when there are none), and never later than halfway
 * to the next event, so it precedes the next partial or the completion.
 */
export function faultTimeMs(partialTimes: number[], durationMs: number, afterPartial: number): number {
  if (partialTimes.length === 0) return Math.round(0.2 * durationMs);
  const k = Math.min(afterPartial, partialTimes.length - 1);
  const at = partialTimes[k];
  const next = k + 1 < partialTimes.length ? partialTimes[k + 1] : durationMs;
  return Math.round(Math.min(at + 0.15 * durationMs, (at + next) / 2));
}
