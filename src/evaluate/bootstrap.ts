import type { AggregationMethod, AggregatorFunction, AggregatorName } from './aggregators.js';
import { AGGREGATOR_NAMES, applyNamedAggregator } from './aggregators.js';
import type { MetricAccumulator } from './metric-accumulator.js';

/** Settings of {@link bootstrapCI}. */
export interface BootstrapOptions {
  /** Uniform [0, 1) generator; pass a seeded one for reproducible intervals. */
  rng: () => number;
  /** Number of bootstrap resamples B (default 1000). */
  resamples?: number;
  /** Coverage of the interval (default 0.95). */
  confidence?: number;
  /**
   * For `avg`/`sum` only: above this many values use the normal approximation
   * mean ± z·s/√n instead of resampling (default 2,000; `Infinity` always resamples).
   */
  normalAbove?: number;
}

/** A confidence interval for an aggregated metric. */
export interface ConfidenceInterval {
  /** The aggregate of the original values. */
  estimate: number;
  low: number;
  high: number;
  /** `percentile-bootstrap`, `normal` (large-n avg/sum), or `none` (no values). */
  method: 'percentile-bootstrap' | 'normal' | 'none';
  /** Values the interval is over. */
  n: number;
}

/**
 * Percentile-bootstrap confidence interval of an aggregate over instances: resample the n values
 * with replacement B times, aggregate each resample, and take the (1−c)/2 and (1+c)/2 quantiles.
 * Works for every built-in aggregation and custom functions. Built-ins need no per-resample
 * sort (values are sorted once and resamples are counted), so one resample costs O(n); for
 * `avg`/`sum` above `normalAbove` values the normal approximation is used, which at that size
 * agrees with the bootstrap to well within its own Monte-Carlo noise.
 *
 * @example
 * const ci = bootstrapCI([0, 1, 1, 0, 1], 'avg', { rng: mulberry32(7) });
 * // ci.estimate = 0.6, ci.low ≤ 0.6 ≤ ci.high
 */
export function bootstrapCI(
  values: ArrayLike<number>,
  aggregation: AggregatorName | AggregatorFunction,
  options: BootstrapOptions,
): ConfidenceInterval {
  return bootstrapTogether([{ values, aggregation }], options)[0] as ConfidenceInterval;
}

/**
 * {@link bootstrapCI} for every metric of an accumulator, using the same aggregation method
 * shape as `aggregateMetrics` (map entries missing → `avg`). Metrics with the same number of
 * values (every metric of an eval that always returns the same keys) are resampled together:
 * each resample draws the instances once and every metric is computed on them (a paired
 * bootstrap — the instance is the unit), so the rng is called n·B times, not n·B per metric,
 * which would otherwise dominate a cached re-run. Deterministic given the seed.
 *
 * @example
 * bootstrapMetrics(acc, 'avg', { rng: mulberry32(1) }).success; // { estimate, low, high, … }
 */
export function bootstrapMetrics(
  acc: MetricAccumulator,
  method: AggregationMethod,
  options: BootstrapOptions,
): Record<string, ConfidenceInterval> {
  const names = acc.metricNames();
  const groups = new Map<number, string[]>();
  for (const metric of names) {
    const n = acc.values(metric).length;
    groups.set(n, [...(groups.get(n) ?? []), metric]);
  }
  const found = new Map<string, ConfidenceInterval>();
  for (const group of groups.values()) {
    const series = group.map((metric) => ({ values: acc.values(metric), aggregation: typeof method === 'object' ? (method[metric] ?? 'avg') : method }));
    bootstrapTogether(series, options).forEach((ci, i) => found.set(group[i] as string, ci));
  }
  return Object.fromEntries(names.map((metric) => [metric, found.get(metric) as ConfidenceInterval]));
}

// --- internal ---

/** The statistic of one resample, given the indices of the drawn instances. */
type Scorer = (drawn: Uint32Array) => number;

/**
 * Intervals for series of equal length from shared resamples: each resample draws n indices
 * (n rng calls, in order) and scores every series on them. A single series consumes the rng
 * exactly as resampling it alone would.
 */
function bootstrapTogether(
  series: ReadonlyArray<{ values: ArrayLike<number>; aggregation: AggregatorName | AggregatorFunction }>,
  options: BootstrapOptions,
): ConfidenceInterval[] {
  const resamples = options.resamples ?? 1000;
  const confidence = options.confidence ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const alpha = 1 - confidence;
  const out: ConfidenceInterval[] = [];
  const resampled: Array<{ at: number; estimate: number; score: Scorer; stats: Float64Array }> = [];
  let n = 0;
  series.forEach(({ values, aggregation }, at) => {
    const data = Float64Array.from(values);
    n = data.length;
    if (n === 0) {
      out[at] = { estimate: NaN, low: NaN, high: NaN, method: 'none', n };
      return;
    }
    const estimate = aggregate(aggregation, data);
    const isMean = aggregation === 'avg' || aggregation === 'average';
    if ((isMean || aggregation === 'sum') && n > (options.normalAbove ?? 2_000)) {
      const half = normalQuantile(1 - alpha / 2) * sampleSd(data) * (isMean ? 1 / Math.sqrt(n) : Math.sqrt(n));
      out[at] = { estimate, low: estimate - half, high: estimate + half, method: 'normal', n };
      return;
    }
    resampled.push({ at, estimate, score: scorerFor(data, aggregation), stats: new Float64Array(resamples) });
  });
  if (resampled.length > 0) {
    const drawn = new Uint32Array(n);
    for (let b = 0; b < resamples; b++) {
      for (let i = 0; i < n; i++) drawn[i] = draw(options.rng, n);
      for (const r of resampled) r.stats[b] = r.score(drawn);
    }
  }
  for (const { at, estimate, stats } of resampled) {
    stats.sort();
    out[at] = { estimate, low: quantile(stats, alpha / 2), high: quantile(stats, 1 - alpha / 2), method: 'percentile-bootstrap', n };
  }
  return out;
}

function aggregate(aggregation: AggregatorName | AggregatorFunction, data: Float64Array): number {
  if (typeof aggregation === 'function') return aggregation(Array.from(data));
  if (!AGGREGATOR_NAMES.includes(aggregation)) throw new RangeError(`unknown aggregation '${String(aggregation)}'`);
  return applyNamedAggregator(aggregation, data);
}

function draw(rng: () => number, n: number): number {
  const i = Math.floor(rng() * n);
  return i < n ? i : n - 1;
}

function scorerFor(data: Float64Array, aggregation: AggregatorName | AggregatorFunction): Scorer {
  const n = data.length;
  if (typeof aggregation === 'function') {
    const sample = new Array<number>(n);
    return (drawn) => {
      for (let i = 0; i < n; i++) sample[i] = data[drawn[i] as number] ?? NaN;
      return aggregation(sample);
    };
  }
  if (aggregation === 'avg' || aggregation === 'average' || aggregation === 'sum') {
    const scale = aggregation === 'sum' ? 1 : 1 / n;
    return (drawn) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += data[drawn[i] as number] ?? 0;
      return s * scale;
    };
  }
  // Order statistics: sort once, then count how often each rank is drawn and read the statistic
  // off the counts. Draws index the original order (through rankOf), so a seed gives the same
  // resamples as the custom-function path.
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((x, y) => (data[x] ?? 0) - (data[y] ?? 0));
  const sorted = Float64Array.from(order, (i) => data[i] ?? NaN);
  const rankOf = new Uint32Array(n);
  order.forEach((original, rank) => { rankOf[original] = rank; });
  const counts = new Uint32Array(n);
  return (drawn) => {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[rankOf[drawn[i] as number] ?? 0]!++;
    return orderStatistic(sorted, counts, aggregation);
  };
}

function orderStatistic(sorted: Float64Array, counts: Uint32Array, name: AggregatorName): number {
  const n = sorted.length;
  if (name === 'min') return sorted[counts.findIndex((c) => c > 0)] ?? NaN;
  if (name === 'max') return sorted[counts.findLastIndex((c) => c > 0)] ?? NaN;
  // median: the value(s) at ranks ⌊(n−1)/2⌋ and ⌊n/2⌋ of the resample
  const lo = (n - 1) >> 1;
  const hi = n >> 1;
  let seen = 0;
  let loValue = NaN;
  for (let j = 0; j < n; j++) {
    const next = seen + (counts[j] ?? 0);
    if (seen <= lo && lo < next) loValue = sorted[j] ?? NaN;
    if (seen <= hi && hi < next) return ((sorted[j] ?? NaN) + loValue) / 2;
    seen = next;
  }
  return NaN;
}

function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] ?? NaN;
  const b = sorted[hi] ?? NaN;
  return a + (b - a) * (pos - lo);
}

function sampleSd(data: Float64Array): number {
  const n = data.length;
  if (n < 2) return 0;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += data[i] ?? 0;
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += ((data[i] ?? 0) - mean) ** 2;
  return Math.sqrt(ss / (n - 1));
}

/** Inverse standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const poly = (k: number[], x: number): number => k.reduce((acc, v) => acc * x + v, 0);
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -poly(c, q) / (poly(d, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}
