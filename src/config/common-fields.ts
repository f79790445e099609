import { ConfigError } from '../errors.js';
import type { Price, PriceTable } from '../pricing/price-table.js';
import { isSafeSeed } from '../store/cache-layout.js';
import type { YamlSource } from './yaml-file.js';

/** `prices: {model: [prompt, completion]}` or `[prompt, completion, cached prompt]` in USD per 1K tokens. */
export function parsePrices(v: unknown, source: YamlSource): PriceTable {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw new ConfigError('prices must map model names to [prompt, completion] (or [prompt, completion, cached prompt]) USD per 1K tokens', { file: source.file, line: source.lineOf(['prices']), field: 'prices' });
  }
  const out: Record<string, Price> = Object.create(null) as Record<string, Price>;
  for (const [model, p] of Object.entries(v)) {
    const ok = Array.isArray(p) && (p.length === 2 || p.length === 3) && p.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0);
    const single = typeof p === 'number' && Number.isFinite(p) && p >= 0;
    if (!ok && !single) {
      throw new ConfigError(`prices.${model} must be [prompt, completion] or [prompt, completion, cached prompt] (USD per 1K tokens, >= 0), got ${JSON.stringify(p)}`, {
        file: source.file,
        line: source.lineOf(['prices', model]),
        field: `prices.${model}`,
        hint: 'e.g. gpt-4: [0.03, 0.06]',
      });
    }
    out[model] = single ? [p as number, p as number] : (p as unknown as Price);
  }
  return out;
}

/** A size limit in bytes (max_line_bytes, …): a whole number, at least 1. */
export function isByteCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
}

/** The cache seed: an integer or a plain name (it becomes a directory name, so nothing odd). */
export function parseSeed(v: unknown, source?: YamlSource): string | undefined {
  if (v === undefined || v === null) return undefined;
  const s = String(v);
  if (!isSafeSeed(s)) {
    throw new ConfigError(`seed ${JSON.stringify(v)} is not a valid cache seed`, {
      file: source?.file,
      line: source?.lineOf(['seed']),
      field: 'seed',
      hint: 'use an integer or a name of letters, digits, - and _',
    });
  }
  return s;
}
