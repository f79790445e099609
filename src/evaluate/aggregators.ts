import { ConfigError } from '../errors.js';
import type { SpecLocation } from './builtins/options.js';
import { locate } from './builtins/options.js';

/** Built-in aggregation names. `average` is an alias of `avg`. */
export type AggregatorName = 'avg' | 'average' | 'median' | 'min' | 'max' | 'sum';

/** A custom aggregation: the values of one metric over the evaluated instances → one number. */
export type AggregatorFunction = (values: number[]) => number;

/**
 * How per-instance metrics become one number per metric: a built-in name, one function for every
 * metric, or a map `{ metric: name | function }` — metrics missing from the map use `avg` (the
 * original raised KeyError instead).
 */
export type AggregationMethod =
  | AggregatorName
  | AggregatorFunction
  | Readonly<Record<string, AggregatorName | AggregatorFunction>>;

/** Aggregated metrics plus how many instances contributed. */
export interface AggregateResult {
  /** One value per metric, in first-seen order. */
  metrics: Record<string, number>;
  /** Instances evaluated successfully. */
  instances: number;
  /** Instances whose evaluation failed (excluded from every metric). */
  failed: number;
  /** Per metric: how many instances reported it. */
  counts: Record<string, number>;
}

/** A resolved aggregation over a metric's values. */
export type ValuesAggregator = (values: Float64Array) => number;

/**
 * The built-in aggregation names.
 *
 * @example
 * AGGREGATOR_NAMES.includes('median'); // true
 */
export const AGGREGATOR_NAMES: readonly AggregatorName[] = Object.freeze(['avg', 'average', 'median', 'min', 'max', 'sum']);

/**
 * Validate an aggregation method once and return a lookup from metric name to aggregator.
 * Unknown names and non-function map entries are `ConfigError`s.
 *
 * @example
 * resolveAggregation({ success: 'median' })('votes')(new Float64Array([1, 3])); // 2 (avg default)
 */
export function resolveAggregation(method: AggregationMethod, where: SpecLocation = {}): (metric: string) => ValuesAggregator {
  if (typeof method === 'string' || typeof method === 'function') {
    const agg = toValuesAggregator(method, 'aggregation', where);
    return () => agg;
  }
  if (method === null || typeof method !== 'object' || Array.isArray(method)) {
    throw new ConfigError(`aggregation must be one of ${AGGREGATOR_NAMES.join(', ')}, a function, or a map of metric → method`, {
      ...locate(where), hint: 'e.g. agg: median, or agg: { success: avg, votes: max }',
    });
  }
  const table = new Map<string, ValuesAggregator>();
  for (const [metric, entry] of Object.entries(method)) table.set(metric, toValuesAggregator(entry, `aggregation for metric '${metric}'`, where));
  return (metric) => table.get(metric) ?? average;
}

/**
 * Apply one built-in aggregation to values.
 *
 * @example
 * applyNamedAggregator('median', new Float64Array([3, 1, 2])); // 2
 */
export function applyNamedAggregator(name: AggregatorName, values: Float64Array): number {
  return NAMED[name](values);
}

// --- internal ---

function toValuesAggregator(entry: unknown, what: string, where: SpecLocation): ValuesAggregator {
  if (typeof entry === 'function') {
    const fn = entry as AggregatorFunction;
    return (values) => {
      const out: unknown = fn(Array.from(values));
      if (typeof out !== 'number' || Number.isNaN(out)) {
        throw new ConfigError(`custom ${what} returned ${typeof out === 'number' ? 'NaN' : typeof out}, not a number`, {
          ...locate(where), hint: 'an aggregator takes number[] and returns one number',
        });
      }
      return out;
    };
  }
  if (typeof entry === 'string' && Object.hasOwn(NAMED, entry)) return NAMED[entry as AggregatorName];
  throw new ConfigError(`unknown ${what}: ${JSON.stringify(entry)}`, {
    ...locate(where), hint: `use one of ${AGGREGATOR_NAMES.join(', ')} or a function (values: number[]) => number`,
  });
}

function average(values: Float64Array): number {
  return values.length === 0 ? NaN : sum(values) / values.length;
}

function sum(values: Float64Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] ?? 0;
  return s;
}

function median(values: Float64Array): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

function extreme(values: Float64Array, sign: 1 | -1): number {
  if (values.length === 0) return NaN;
  let best = values[0] ?? NaN;
  for (let i = 1; i < values.length; i++) {
    const v = values[i] ?? NaN;
    if (sign * v > sign * best) best = v;
  }
  return best;
}

const NAMED: Readonly<Record<AggregatorName, ValuesAggregator>> = Object.freeze({
  avg: average,
  average,
  median,
  min: (v: Float64Array) => extreme(v, -1),
  max: (v: Float64Array) => extreme(v, 1),
  sum,
});
