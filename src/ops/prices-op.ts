import { resolve } from 'node:path';
import { parsePrices } from '../config/common-fields.js';
import { readYamlFile } from '../config/yaml-file.js';
import { BUILTIN_PRICES, resolvePrice, type PriceSource, type PriceTable } from '../pricing/price-table.js';
import { cachedInputPrice } from '../pricing/cost.js';

/** Inputs of `autotune prices`. */
export interface PricesInput {
  /** Models to price; none: every model of the built-in table and of the config's `prices:`. */
  models: readonly string[];
  /** A config file whose `prices:` override the built-in table (as in a run of it). */
  configFile?: string | undefined;
  cwd: string;
}

/** One model's price, as a run would use it. USD per 1K tokens; null when the model has no price. */
export interface PriceRow {
  model: string;
  input: number | null;
  cached_input: number | null;
  output: number | null;
  /** Where it came from: the config's `prices:`, the built-in table, or none. */
  source: PriceSource | 'none';
  /** The table key that matched (a dated snapshot matches its model). */
  matched: string | null;
}

/**
 * The prices a run would use: for each model, the config's `prices:` first, then the built-in
 * table, with the same lookup as a run (a dated snapshot falls back to its model, nothing else).
 * A per-endpoint `price` of a config list is not shown: it applies to one endpoint only.
 */
export function runPrices(input: PricesInput): { rows: PriceRow[]; config: string | null } {
  const file = input.configFile ? resolve(input.cwd, input.configFile) : undefined;
  const overrides: PriceTable = file ? configPrices(file) : {};
  const models = input.models.length > 0 ? [...input.models] : [...new Set([...Object.keys(BUILTIN_PRICES), ...Object.keys(overrides)])].sort();
  const rows = models.map((model): PriceRow => {
    const found = resolvePrice(model, overrides);
    if (!found) return { model, input: null, cached_input: null, output: null, source: 'none', matched: null };
    return { model, input: found.price[0], cached_input: cachedInputPrice(found.price), output: found.price[1], source: found.source, matched: found.matched };
  });
  return { rows, config: file ?? null };
}

/** The `prices:` of a config file (any command's). */
function configPrices(file: string): PriceTable {
  const source = readYamlFile(file);
  const value = source.value;
  const prices = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)['prices'] : undefined;
  return parsePrices(prices, source);
}
