import type { Config } from '../space/types.js';
import type { ArmInfo } from './arms.js';
import type { TrialPlan } from './evaluate-trial.js';
import { chooseN, fitsBudget, type NChoice, type NChoiceOptions } from './n-choice.js';
import type { TrialState, TrialSummary } from './trial-summary.js';

/** A trial while the tuner works on it (mutable, private to the tuner). */
export interface LiveTrial {
  id: number;
  plan: TrialPlan;
  arm: ArmInfo | undefined;
  /** The searcher's config (without n). */
  config: Config;
  /** Highest rung completed (-1 = none yet). */
  rung: number;
  /** Ranking score at each completed rung. */
  scores: number[];
  state: TrialState;
  /** USD newly paid for this trial. */
  paid: number;
  choice: NChoice | undefined;
  message?: string;
  /** Even its cheapest n is over the inference budget, beyond noise. */
  overBudget?: boolean;
}

/** Score a trial on its first `rows` rows: the n to report and whether it fits the budget. */
export function assess(t: LiveTrial, rows: number, opts: NChoiceOptions): { choice: NChoice; overBudget: boolean } {
  const stats = t.plan.record.stats(rows);
  const choice = chooseN(stats, opts);
  // Over budget for sure: even the cheapest n costs more than the budget, beyond its noise.
  const cheapest = stats.reduce((a, s) => (s.costMean < a.costMean ? s : a), stats[0] ?? { costMean: 0, costVariance: 0, rows: 0, n: 0, mean: 0, variance: 0 });
  const lower = { ...cheapest, costMean: cheapest.costMean - (rows >= opts.totalRows ? 0 : 2 * Math.sqrt(cheapest.costVariance / Math.max(1, rows))) };
  const overBudget = !choice.feasible && !fitsBudget(lower, opts);
  return { choice, overBudget };
}

/** A frozen, printable snapshot of a trial. */
export function summarize(t: LiveTrial, rows: number, totalRows: number, metric: string, sign: 1 | -1): TrialSummary {
  const c = t.choice;
  const g = c && c.index >= 0 ? c.index : c ? t.plan.record.grid.indexOf(c.n) : -1;
  const metrics = g >= 0 && rows > 0 ? t.plan.record.meanMetrics(rows, g) : {};
  const summary: TrialSummary = {
    trial: t.id,
    state: t.state,
    config: Object.freeze({ ...t.plan.params, ...(c && c.n > 0 ? { n: c.n } : {}) }),
    n_requested: t.plan.nRequested,
    rows,
    total_rows: totalRows,
    metric: c && rows > 0 && Number.isFinite(c.mean) ? sign * c.mean : null,
    metrics,
    lcb: c && Number.isFinite(c.lcb) ? c.lcb : null,
    se: c && Number.isFinite(c.se) ? c.se : null,
    inference_cost: c && Number.isFinite(c.costMean) ? c.costMean : null,
    cost: t.paid,
    ...(t.message ? { message: t.message } : {}),
    ...(t.plan.empty && t.plan.empty.answers > 0 ? { empty_answers: { ...t.plan.empty } } : {}),
  };
  return Object.freeze(summary);
}

/** Pooled variance of the per-row score over trials at the same rows: the prior for small samples. */
export function pooledVariance(trials: readonly LiveTrial[], rows: number): number {
  const vs: number[] = [];
  for (const t of trials) {
    if (t.plan.record.rowsDone < rows) continue;
    const stats = t.plan.record.stats(rows);
    const i = t.choice && t.choice.index >= 0 ? t.choice.index : stats.length - 1;
    const v = stats[i]?.variance;
    if (v !== undefined && Number.isFinite(v)) vs.push(v);
  }
  // With nothing to pool, assume a coin flip's variance: the widest a 0/1 metric can be.
  return vs.length ? vs.reduce((a, b) => a + b, 0) / vs.length : 0.25;
}
