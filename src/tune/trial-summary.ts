import type { Config } from '../space/types.js';

/** Why a trial stopped where it did. */
export type TrialState =
  /** still in the race (only seen in the trial log while the tune runs) */
  | 'running'
  /** measured on every row */
  | 'complete'
  /** the search ended while the trial was still in the race, at the rows it had reached */
  | 'stopped'
  /** over the inference budget at every n */
  | 'pruned_budget'
  /** its arm was ruled out by the probe (over budget, or the same answers as another arm) */
  | 'pruned_probe'
  /** lost the race: clearly worse than the leader on the same rows */
  | 'pruned'
  /** most rows failed (requests or eval) */
  | 'failed'
  /** the optimization budget ran out before its first rung */
  | 'budget_cut'
  /** Ctrl-C before its first rung */
  | 'interrupted';

/** One trial as reported in the log, the table and `--json` (a frozen snapshot). */
export interface TrialSummary {
  trial: number;
  state: TrialState;
  /** Request parameters evaluated, with the n picked for it. */
  config: Config;
  /** Samples requested per row (the n picked is ≤ this). */
  n_requested: number;
  /** Rows of the tuning data the numbers below are based on. */
  rows: number;
  total_rows: number;
  /** The metric at the picked n (mode-adjusted score is `score`). */
  metric: number | null;
  /** Every numeric metric of the eval at the picked n, averaged over `rows`. */
  metrics: Record<string, number>;
  /** Lower confidence bound of the score (mean − standard error): what the pick ranks by. */
  lcb: number | null;
  se: number | null;
  /** USD per instance at list price at the picked n. */
  inference_cost: number | null;
  /** USD newly spent on this trial (cache hits are free). */
  cost: number;
  message?: string;
  /** Answers cut off by the cap with no visible text (reasoning ate it), of the samples received; absent when none. */
  empty_answers?: { answers: number; samples: number };
}
