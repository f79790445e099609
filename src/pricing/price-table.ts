/**
 * USD per 1,000 tokens, as [prompt, completion]. Legacy entries follow the original
 * AutoGen table (a scalar price there is the same number twice here); current entries follow
 * OpenAI's published list prices. A `prices:` map in YAML and a per-endpoint `price` override
 * these (see `resolvePrice`).
 */
export type Price = readonly [prompt: number, completion: number];
export type PriceTable = Readonly<Record<string, Price>>;

export const BUILTIN_PRICES: PriceTable = Object.freeze({
  // legacy completion models (original table)
  'text-ada-001': [0.0004, 0.0004],
  'text-babbage-001': [0.0005, 0.0005],
  'text-curie-001': [0.002, 0.002],
  'code-cushman-001': [0.024, 0.024],
  'code-davinci-002': [0.1, 0.1],
  'text-davinci-002': [0.02, 0.02],
  'text-davinci-003': [0.02, 0.02],
  'davinci-002': [0.002, 0.002],
  'babbage-002': [0.0004, 0.0004],
  // GPT-3.5 (original table)
  'gpt-3.5-turbo': [0.0015, 0.002],
  'gpt-3.5-turbo-instruct': [0.0015, 0.002],
  'gpt-3.5-turbo-0301': [0.0015, 0.002],
  'gpt-3.5-turbo-0613': [0.0015, 0.002],
  'gpt-3.5-turbo-1106': [0.001, 0.002],
  'gpt-3.5-turbo-0125': [0.0005, 0.0015],
  'gpt-3.5-turbo-16k': [0.003, 0.004],
  'gpt-3.5-turbo-16k-0613': [0.003, 0.004],
  'gpt-35-turbo': [0.0015, 0.002],
  'gpt-35-turbo-16k': [0.003, 0.004],
  'gpt-35-turbo-instruct': [0.0015, 0.002],
  // GPT-4 (original table)
  'gpt-4': [0.03, 0.06],
  'gpt-4-0314': [0.03, 0.06],
  'gpt-4-0613': [0.03, 0.06],
  'gpt-4-32k': [0.06, 0.12],
  'gpt-4-32k-0314': [0.06, 0.12],
  'gpt-4-32k-0613': [0.06, 0.12],
  // current models
  'gpt-4-turbo': [0.01, 0.03],
  'gpt-4o': [0.0025, 0.01],
  'gpt-4o-mini': [0.00015, 0.0006],
  'gpt-4.1': [0.002, 0.008],
  'gpt-4.1-mini': [0.0004, 0.0016],
  'gpt-4.1-nano': [0.0001, 0.0004],
  'gpt-5': [0.00125, 0.01],
  'gpt-5-mini': [0.00025, 0.002],
  'gpt-5-nano': [0.00005, 0.0004],
  o1: [0.015, 0.06],
  'o1-mini': [0.0011, 0.0044],
  o3: [0.002, 0.008],
  'o3-mini': [0.0011, 0.0044],
  'o4-mini': [0.0011, 0.0044],
});

/** Where a price came from, for messages and `usage` output. */
export type PriceSource = 'endpoint' | 'config' | 'builtin';

export interface ResolvedPrice {
  price: Price;
  source: PriceSource;
  /** The table key that matched (may be a prefix of a dated model name). */
  matched: string;
}

/**
 * Find the price of `model`: the endpoint's own `price` first, then the user's `prices:` map,
 * then the built-in table. Dated snapshots (`gpt-4o-2024-08-06`) fall back to the longest key
 * that is a `-`-separated prefix, so new snapshots are priced like their family.
 * Returns undefined for an unknown model; callers decide whether that is a warning or an error.
 */
export function resolvePrice(
  model: string,
  overrides: PriceTable = {},
  endpointPrice?: Price,
): ResolvedPrice | undefined {
  if (endpointPrice) return { price: endpointPrice, source: 'endpoint', matched: model };
  const fromConfig = lookup(model, overrides);
  if (fromConfig) return { price: fromConfig[1], source: 'config', matched: fromConfig[0] };
  const fromTable = lookup(model, BUILTIN_PRICES);
  if (fromTable) return { price: fromTable[1], source: 'builtin', matched: fromTable[0] };
  return undefined;
}

function lookup(model: string, table: PriceTable): [string, Price] | undefined {
  const exact = table[model];
  if (exact) return [model, exact];
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    if (model.startsWith(`${key}-`) && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? undefined : [best, table[best] as Price];
}
