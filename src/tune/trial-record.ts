import type { EvalResult } from '../evaluate/eval-types.js';
import type { NStats } from './n-choice.js';

/** What one row contributed to a trial: the eval at each n of the grid and the cost at each n. */
export interface RowOutcome {
  /** Eval result per grid index (undefined where the eval failed). */
  metrics: Array<EvalResult | undefined>;
  /** List-price cost per grid index (one request for n samples), USD. */
  cost: number[];
  /** All samples came from the cache. */
  cached: boolean;
  /** Every sample of the row's request said exactly the same. */
  alike?: boolean;
}

/**
 * The evidence gathered for one trial, row by row in the shared row order. Rows are filled as
 * the trial is promoted to more rows; statistics are computed on the contiguous prefix so every
 * trial at a rung is compared on exactly the same rows (paired comparisons).
 */
export class TrialRecord {
  private readonly rows: Array<RowOutcome | null | undefined> = [];
  /** Rows whose request failed (after retries) or whose eval threw, with the reason. */
  readonly errors: Array<{ position: number; message: string }> = [];

  #grid: readonly number[];

  constructor(
    grid: readonly number[],
    private readonly metric: string,
    /** +1 for mode max, −1 for mode min: scores are always "higher is better". */
    private readonly sign: 1 | -1,
  ) {
    this.#grid = grid;
  }

  /** The n values scored, ascending: entry g of a row's metrics and costs is for n = grid[g]. */
  get grid(): readonly number[] {
    return this.#grid;
  }

  /**
   * Stop scoring the n above `nMax` (the trial's later rows ask for fewer samples). The grid
   * keeps its prefix, so the rows already scored stay aligned with it; their extra samples are
   * simply not used.
   */
  limitTo(nMax: number): void {
    this.#grid = this.#grid.filter((n) => n <= nMax);
  }

  set(position: number, outcome: RowOutcome | null, error?: string): void {
    this.rows[position] = outcome;
    if (error) this.errors.push({ position, message: error });
  }

  /** Rows evaluated (in order) without a gap. */
  get rowsDone(): number {
    let i = 0;
    while (i < this.rows.length && this.rows[i] !== undefined) i++;
    return i;
  }

  /** Fraction of the first `rows` rows that failed. */
  /**
   * The samples of every one of the first `rows` rows were all alike: more of them cannot change
   * any score (a temperature near 0, or a model that always says the same).
   */
  samplesAlwaysAlike(rows: number): boolean {
    for (let i = 0; i < rows; i++) if (!this.rows[i]?.alike) return false;
    return rows > 0;
  }

  failureRate(rows: number): number {
    let failed = 0;
    for (let i = 0; i < rows; i++) if (!this.rows[i] || this.rows[i]?.metrics.every((m) => m === undefined)) failed++;
    return rows === 0 ? 0 : failed / rows;
  }

  /**
   * Statistics per n over the first `rows` rows. A row whose eval failed scores the metric's
   * worst value seen (it is neither dropped, which would flatter the trial, nor fatal).
   */
  stats(rows: number): NStats[] {
    return this.grid.map((n, g) => {
      const scores: number[] = [];
      const costs: number[] = [];
      for (let i = 0; i < rows; i++) {
        const r = this.rows[i];
        const v = r?.metrics[g]?.[this.metric];
        if (typeof v === 'number' && Number.isFinite(v)) scores.push(this.sign * v);
        else scores.push(NaN);
        if (r) costs.push(r.cost[g] ?? 0);
      }
      const finite = scores.filter(Number.isFinite);
      const worst = finite.length ? Math.min(...finite) : 0;
      const filled = scores.map((s) => (Number.isFinite(s) ? s : worst));
      return { n, rows, ...meanVar(filled, 'mean', 'variance'), ...meanVar(costs, 'costMean', 'costVariance') } as NStats;
    });
  }

  /** Per-row scores (mode-adjusted, failed rows as NaN) at grid index `g` over the first `rows`. */
  scoresAt(rows: number, g: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < rows; i++) {
      const v = this.rows[i]?.metrics[g]?.[this.metric];
      out.push(typeof v === 'number' && Number.isFinite(v) ? this.sign * v : NaN);
    }
    return out;
  }

  /** Mean of every numeric metric at grid index `g` over the first `rows` rows (for reports). */
  meanMetrics(rows: number, g: number): Record<string, number> {
    const sums = new Map<string, [number, number]>();
    for (let i = 0; i < rows; i++) {
      const m = this.rows[i]?.metrics[g];
      if (!m) continue;
      for (const [k, v] of Object.entries(m)) {
        const acc = sums.get(k) ?? [0, 0];
        sums.set(k, [acc[0] + v, acc[1] + 1]);
      }
    }
    return Object.fromEntries([...sums].map(([k, [s, c]]) => [k, s / c]));
  }

  /** Rows fully served from the cache among the first `rows`. */
  cachedRows(rows: number): number {
    let c = 0;
    for (let i = 0; i < rows; i++) if (this.rows[i]?.cached) c++;
    return c;
  }
}

function meanVar<A extends string, B extends string>(xs: readonly number[], a: A, b: B): Record<A | B, number> {
  const n = xs.length;
  const mean = n ? xs.reduce((s, x) => s + x, 0) / n : 0;
  const variance = n > 1 ? xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1) : 0;
  return { [a]: mean, [b]: variance } as Record<A | B, number>;
}
