/**
 * USD per 1,000 tokens, as [prompt, completion, cached prompt?]. Legacy entries follow the
 * original AutoGen table (a scalar price there is the same number twice here); current entries
 * follow OpenAI's published list prices (standard tier), with the cached-input price where
 * OpenAI offers prompt caching for the model (absent: cached prompt tokens cost the input price).
 * Completion includes hidden reasoning tokens, which OpenAI bills as output. A `prices:` map in
 * YAML and a per-endpoint `price` override these (see `resolvePrice`).
 */
export type Price = readonly [prompt: number, completion: number, cached?: number];
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
  'gpt-4-turbo': [0.01, 0.03],
  // Current models. Source: OpenAI's pricing page (developers.openai.com/api/docs/pricing), as
  // quoted by third-party price tables dated 2026-03-21 (deploybase.ai), 2026-06 (morphllm.com)
  // and the adk-model 2.1 crate's table (2026-03), read 2026-12-02; the page itself could not be
  // fetched from here, so each figure is as those copies give it. Per 1M tokens in comments.
  // gpt-4o family: $2.50 / $1.25 cached / $10; mini $0.15 / $0.075 / $0.60
  'gpt-4o': [0.0025, 0.01, 0.00125],
  'gpt-4o-mini': [0.00015, 0.0006, 0.000075],
  // gpt-4.1 family (cache discount 75%): $2 / $0.50 / $8; mini $0.40 / $0.10 / $1.60; nano $0.10 / $0.025 / $0.40
  'gpt-4.1': [0.002, 0.008, 0.0005],
  'gpt-4.1-mini': [0.0004, 0.0016, 0.0001],
  'gpt-4.1-nano': [0.0001, 0.0004, 0.000025],
  // gpt-5 family (cache discount 90%): gpt-5 $1.25 / $0.125 / $10; mini $0.25 / $0.025 / $2; nano $0.05 / $0.005 / $0.40
  'gpt-5': [0.00125, 0.01, 0.000125],
  'gpt-5-mini': [0.00025, 0.002, 0.000025],
  'gpt-5-nano': [0.00005, 0.0004, 0.000005],
  // gpt-5.1: the same as gpt-5 (deploybase.ai 2026-03-21; cached price from the 90% rule, unconfirmed)
  'gpt-5.1': [0.00125, 0.01, 0.000125],
  // gpt-5.2: $1.75 / $0.175 / $14 (nicolalazzari.ai, 2026)
  'gpt-5.2': [0.00175, 0.014, 0.000175],
  // gpt-5.4: $2.50 / $0.25 / $15; mini $0.75 / $0.075 / $4.50; nano $0.20 / $0.02 / $1.25 (morphllm.com, 2026-06)
  'gpt-5.4': [0.0025, 0.015, 0.00025],
  'gpt-5.4-mini': [0.00075, 0.0045, 0.000075],
  'gpt-5.4-nano': [0.0002, 0.00125, 0.00002],
  // gpt-5.5: $5 / $0.50 / $30 (morphllm.com, 2026-06)
  'gpt-5.5': [0.005, 0.03, 0.0005],
  // pro models (Responses API only, no cached price): gpt-5-pro $15 / $120 (deploybase.ai 2026-03);
  // gpt-5.4-pro and gpt-5.5-pro $30 / $180 (morphllm.com 2026-06)
  'gpt-5-pro': [0.015, 0.12],
  'gpt-5.4-pro': [0.03, 0.18],
  'gpt-5.5-pro': [0.03, 0.18],
  // o-series: o3 $2 / $0.50 / $8 (price cut of 2025-06); o4-mini and o3-mini $1.10 / $0.275 / $4.40
  // (o3-mini's cached price is $0.55 per llmcalc.app, 2026-05); o1 $15 / $7.50 / $60
  o1: [0.015, 0.06, 0.0075],
  'o1-mini': [0.0011, 0.0044, 0.00055],
  o3: [0.002, 0.008, 0.0005],
  'o3-mini': [0.0011, 0.0044, 0.00055],
  'o4-mini': [0.0011, 0.0044, 0.000275],
  // o3-pro: $20 / $80, no cached price (OpenAI's launch price of 2025-06; not in the 2026 copies
  // read, unconfirmed since). Never priced as o3 (10x less).
  'o3-pro': [0.02, 0.08],
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
 * then the built-in table. A dated snapshot (`gpt-4o-2024-08-06`, `gpt-4-0613`) with no entry of
 * its own is priced like the model it is a snapshot of; nothing else falls back: `o3-pro` is not
 * `o3` (10× dearer) and a misspelled `gpt-4o-mini-typo` is not `gpt-4o-mini`. Keys are own
 * properties only (a model named `constructor` finds nothing on Object.prototype).
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

/** A snapshot's date suffix: `-2024-08-06` or `-0613`. */
const SNAPSHOT_SUFFIX = /-(\d{4}-\d{2}-\d{2}|\d{4})$/;

function lookup(model: string, table: PriceTable): [string, Price] | undefined {
  const own = (key: string): Price | undefined => (Object.hasOwn(table, key) ? table[key] : undefined);
  const exact = own(model);
  if (exact) return [model, exact];
  const base = model.replace(SNAPSHOT_SUFFIX, '');
  const family = base === model ? undefined : own(base);
  return family ? [base, family] : undefined;
}
