// Shipped prices (USD per million tokens) for the upstream models holdfast knows. Config `prices`
// overrides or extends them per model; docs/keys-and-cost.md names each default's source.
import type { ModelPrice } from './prices.js';

export interface PriceSource {
  price: ModelPrice;
  /** Where the numbers were read (shown in docs/keys-and-cost.md). */
  source: string;
}

const gptImage2: PriceSource = {
  price: { text_input_per_1m: 5, image_input_per_1m: 8, image_output_per_1m: 30 },
  source: 'OpenAI pricing page for gpt-image-2 (text $5, image input $8, image output $30), as quoted by xairouter.com/en/models/gpt-image-2 (read 2026-12)',
};
const gptImage15: PriceSource = {
  price: { text_input_per_1m: 5, image_input_per_1m: 8, image_output_per_1m: 32 },
  source: 'OpenAI model page for gpt-image-1.5 (image input $8, image output $32, as listed by llmreference.com/model/gpt-image-1.5/openai-api) and community.openai.com/t/1371851 (per-image output cost = tokens × $32/1M); text input $5',
};

export const DEFAULT_PRICES: Readonly<Record<string, PriceSource>> = {
  'gpt-image-2': gptImage2,
  'gpt-image-2-2026-04-21': gptImage2,
  'gpt-image-1.5': gptImage15,
  'chatgpt-image-latest': gptImage15,
  'gpt-image-1': {
    price: { text_input_per_1m: 5, image_input_per_1m: 10, image_output_per_1m: 40 },
    source: 'OpenAI pricing for gpt-image-1 (text $5, image input $10, image output $40), collected in community.openai.com/t/1275254',
  },
  'gpt-image-1-mini': {
    price: { text_input_per_1m: 2, image_input_per_1m: 2.5, image_output_per_1m: 8 },
    source: 'OpenAI pricing for gpt-image-1-mini; image output $8 is confirmed by community.openai.com/t/1371851 (per-image cost = tokens × $8/1M), text $2 and image input $2.50 are UNCONFIRMED (not found in a stored source)',
  },
};

/** The price table in force: shipped defaults, overridden per model by config `prices`. */
export function priceTable(configured: Readonly<Record<string, Readonly<ModelPrice>>>): Map<string, ModelPrice> {
  const table = new Map<string, ModelPrice>(Object.entries(DEFAULT_PRICES).map(([model, p]) => [model, p.price]));
  for (const [model, price] of Object.entries(configured)) table.set(model, { ...price });
  return table;
}
