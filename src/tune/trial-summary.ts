import type { Config } from '../space/types.js';

/** Why a trial stopped where it did. */
export type TrialState =
  | 'running'
  | 'complete'
  | 'stopped'
  | 'pruned_budget'
  | 'pruned_probe'
  | 'pruned'
  | 'failed'
  | 'budget_cut'
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
}
