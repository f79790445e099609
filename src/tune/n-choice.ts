/**
 * Choosing n after the fact. A trial asks once for N samples per row; the first n of them are an
 * honest sample of n draws, so one paid request scores every n ≤ N. This module turns per-row
 * scores and costs at each n into the n to report: the best lower confidence bound among the n
 * that fit the inference budget. Pure.
 */

/** Aggregates of one n over the rows evaluated so far. Scores are "higher is better". */
export interface NStats {
  n: number;
  rows: number;
  /** Mean score over rows (mode-adjusted: negated for mode min). */
  mean: number;
  /** Sample variance of the per-row score. */
  variance: number;
  /** Mean list-price cost per row (one request for n samples), USD. */
  costMean: number;
  costVariance: number;
}

/** The pick for one trial at its current rows. */
export interface NChoice {
  /** Index into the stats array, or -1 when no n fits the budget. */
  index: number;
  n: number;
  mean: number;
  /** Standard error of the mean, shrunk towards the pooled variance (see `standardError`). */
  se: number;
  /** mean − se: what the tuner ranks and picks by. */
  lcb: number;
  costMean: number;
  feasible: boolean;
}

/** How the choice treats budget and uncertainty. */
export interface NChoiceOptions {
  /** USD per instance; undefined = no inference budget. */
  inferenceBudget?: number | undefined;
  /** Rows in the whole tuning set: at all rows the cost is known exactly for this data. */
  totalRows: number;
  /** Variance pooled over all trials at this fidelity; a prior that keeps tiny samples honest. */
  pooledVariance: number;
  /** Weight of the prior in pseudo-rows (default 2). */
  priorRows?: number;
}

/**
 * Standard error of a mean over `rows` rows, with the sample variance shrunk towards a pooled
 * variance worth `priorRows` rows. Without it a config that got all of 6 easy rows right has
 * SE 0 and looks certain (the low-temperature trap); with it, evidence on more rows wins.
 */
export function standardError(variance: number, rows: number, pooledVariance: number, priorRows = 2): number {
  if (rows <= 0) return Infinity;
  const v = (rows * variance + priorRows * pooledVariance) / (rows + priorRows);
  return Math.sqrt(Math.max(0, v) / rows);
}

/**
 * Is n within the inference budget? At all rows the mean cost on this data is exact; on fewer
 * rows the mean cost plus one standard error must fit, so a cost estimated from a lucky subset
 * does not slip through (the original never checked its first trial at all).
 */
export function fitsBudget(s: NStats, opts: NChoiceOptions): boolean {
  if (opts.inferenceBudget === undefined) return true;
  const margin = s.rows >= opts.totalRows ? 0 : Math.sqrt(Math.max(0, s.costVariance) / Math.max(1, s.rows));
  return s.costMean + margin <= opts.inferenceBudget * (1 + 1e-9);
}

/**
 * Pick n: the largest lower confidence bound among the n that fit the budget; a tie goes to the
 * larger n (more votes, steadier answers: on a few dozen rows a real gain of voting often does
 * not show yet). When nothing fits, returns the cheapest n with `feasible: false` so callers can
 * report by how much it missed. (Where the samples never differ, more of them cannot help: the
 * pick then takes the fewest, see `pickBest`.)
 */
export function chooseN(stats: readonly NStats[], opts: NChoiceOptions): NChoice {
  let best: NChoice | undefined;
  stats.forEach((s, index) => {
    if (!fitsBudget(s, opts)) return;
    const c = choiceAt(stats, index, opts);
    if (!best || c.lcb > best.lcb + 1e-12 || (Math.abs(c.lcb - best.lcb) <= 1e-12 && c.n > best.n)) best = c;
  });
  if (best) return best;
  let cheapest = 0;
  stats.forEach((s, i) => {
    if (s.costMean < (stats[cheapest]?.costMean ?? Infinity)) cheapest = i;
  });
  const s = stats[cheapest];
  if (!s) return { index: -1, n: 0, mean: NaN, se: Infinity, lcb: -Infinity, costMean: NaN, feasible: false };
  const se = standardError(s.variance, s.rows, opts.pooledVariance, opts.priorRows);
  return { index: -1, n: s.n, mean: s.mean, se, lcb: -Infinity, costMean: s.costMean, feasible: false };
}

/** The choice of the n at `index` (which must fit the budget). */
export function choiceAt(stats: readonly NStats[], index: number, opts: NChoiceOptions): NChoice {
  const s = stats[index] as NStats;
  const se = standardError(s.variance, s.rows, opts.pooledVariance, opts.priorRows);
  return { index, n: s.n, mean: s.mean, se, lcb: s.mean - se, costMean: s.costMean, feasible: true };
}

/**
 * Scores `a` are no worse than `b` on the same rows: their mean paired difference is not below
 * zero. No allowance for noise: a difference of a row or two on the tuning rows is noise by any
 * test, yet where it comes from a config that votes more it is often real on held-out data too,
 * and giving it away for a lower price would trade quality the user asked for.
 */
export function noWorse(a: readonly number[], b: readonly number[]): boolean {
  const d = a.map((x, i) => x - (b[i] as number)).filter(Number.isFinite);
  if (d.length === 0) return false;
  return d.reduce((x, y) => x + y, 0) / d.length >= -1e-12;
}

/**
 * The n values a trial with N samples is scored at: every n up to 8, then a roughly geometric
 * ladder, always including N, restricted to the space's n range.
 */
export function nGrid(nMax: number, nLow = 1): number[] {
  const out = new Set<number>();
  for (let n = nLow; n <= nMax; n++) {
    if (n <= 8 || n === nMax || isLadder(n)) out.add(n);
  }
  return [...out].sort((a, b) => a - b);
}

function isLadder(n: number): boolean {
  return [10, 12, 16, 20, 24, 32, 40, 48, 64, 80, 96, 128].includes(n);
}
