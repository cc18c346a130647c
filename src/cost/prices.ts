// Prices in USD per million tokens per upstream model, and what a TokenUsage costs at them.
import type { TokenUsage } from '../wire/usage.js';

/** USD per million tokens for one upstream model (config `prices.<model>`). */
export interface ModelPrice {
  text_input_per_1m: number;
  image_input_per_1m: number;
  image_output_per_1m: number;
  /** Output text tokens; defaults to image_output_per_1m. */
  text_output_per_1m?: number;
}

/** Cost in USD, rounded to a millionth of a dollar (the unit reports add up in). */
export function costUsd(usage: TokenUsage, price: ModelPrice): number {
  const micro = usage.text_input_tokens * price.text_input_per_1m
    + usage.image_input_tokens * price.image_input_per_1m
    + usage.image_output_tokens * price.image_output_per_1m
    + usage.text_output_tokens * (price.text_output_per_1m ?? price.image_output_per_1m);
  return Math.round(micro) / 1_000_000;
}
