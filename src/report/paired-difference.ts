/** Settings of {@link pairedDifference}. */
export interface PairedOptions {
  /** Uniform [0, 1) generator; a seeded one makes the interval reproducible. */
  rng: () => number;
  /** Bootstrap resamples (default 2000). */
  resamples?: number;
  /** Coverage of the interval (default 0.95). */
  confidence?: number;
}

/** The difference of two configs' means over the same rows, with its uncertainty. */
export interface PairedDifference {
  /** mean(a) − mean(b) over the paired rows. */
  estimate: number;
  /** Percentile interval of the paired bootstrap (rows resampled, each keeping its pair). */
  low: number;
  high: number;
  /**
   * Two-sided p-value of "no difference": McNemar's exact test for 0/1 values, else the paired
   * bootstrap's (resampled differences centred on 0, as far from 0 as the one observed).
   */
  pValue: number;
  method: 'mcnemar' | 'paired-bootstrap';
  /** Pairs the numbers are over. */
  n: number;
  /** For 0/1 values: rows only a got right, rows only b got right. */
  discordant?: { aOnly: number; bOnly: number };
}

/**
 * Paired comparison of `a[i]` and `b[i]` (the same row under two configs). The interval comes from
 * resampling rows with replacement, so the correlation of the two configs on a row (an easy row
 * is easy for both) narrows it, as it should; a plain two-sample interval would be far wider.
 *
 * @example
 * const d = pairedDifference([1, 1, 0, 1], [0, 1, 0, 0], { rng: Math.random });
 * d.estimate; // 0.5; d.method: 'mcnemar'
 */
export function pairedDifference(a: ArrayLike<number>, b: ArrayLike<number>, options: PairedOptions): PairedDifference {
  if (a.length !== b.length) throw new Error(`paired values differ in length: ${a.length} and ${b.length}`);
  const n = a.length;
  const d = Float64Array.from({ length: n }, (_, i) => (a[i] as number) - (b[i] as number));
  const estimate = n > 0 ? mean(d) : NaN;
  if (n === 0) return { estimate, low: NaN, high: NaN, pValue: NaN, method: 'paired-bootstrap', n };
  const resamples = options.resamples ?? 2000;
  const confidence = options.confidence ?? 0.95;
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += d[Math.floor(options.rng() * n)] as number;
    means[r] = sum / n;
  }
  means.sort();
  const low = quantile(means, (1 - confidence) / 2);
  const high = quantile(means, (1 + confidence) / 2);
  if (isBinary(a) && isBinary(b)) {
    let aOnly = 0;
    let bOnly = 0;
    for (let i = 0; i < n; i++) {
      if ((a[i] as number) > (b[i] as number)) aOnly++;
      else if ((a[i] as number) < (b[i] as number)) bOnly++;
    }
    return { estimate, low, high, pValue: mcnemarExact(aOnly, bOnly), method: 'mcnemar', n, discordant: { aOnly, bOnly } };
  }
  // under "no difference" the resampled means would centre on 0: how often is one as far out?
  let far = 0;
  for (const m of means) if (Math.abs(m - estimate) >= Math.abs(estimate) - 1e-15) far++;
  return { estimate, low, high, pValue: Math.min(1, (far + 1) / (resamples + 1)), method: 'paired-bootstrap', n };
}

/**
 * McNemar's exact test: of the rows where the two differ, `aOnly` went one way and `bOnly` the
 * other; under "no difference" each way is a fair coin. Two-sided binomial p-value.
 */
export function mcnemarExact(aOnly: number, bOnly: number): number {
  const m = aOnly + bOnly;
  if (m === 0) return 1;
  const k = Math.min(aOnly, bOnly);
  // P(X ≤ k) for X ~ Binomial(m, 1/2), summed in log space (m can be large)
  let logTerm = -m * Math.LN2; // log C(m, 0) / 2^m
  let cdf = Math.exp(logTerm);
  for (let i = 1; i <= k; i++) {
    logTerm += Math.log(m - i + 1) - Math.log(i);
    cdf += Math.exp(logTerm);
  }
  return Math.min(1, 2 * cdf);
}

function isBinary(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (values[i] !== 0 && values[i] !== 1) return false;
  return true;
}

function mean(xs: Float64Array): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Linear-interpolated quantile of sorted values. */
function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}
