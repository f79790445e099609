import type { Config, Point } from '../space/types.js';

/** What a searcher proposes for one trial: the config to evaluate and its point in the space. */
export interface TrialSuggestion {
  readonly trialId: number;
  readonly config: Config;
  readonly point: Point;
}

/** How a trial ended. */
export type TrialStatus = 'complete' | 'pruned' | 'failed';

/** The result of one trial, told back to the searcher. */
export interface TrialObservation {
  readonly trialId: number;
  /** Higher is better (already adjusted for `mode: min`); `null` when the trial failed or was pruned. */
  readonly score: number | null;
  /** Money spent on the trial, in USD. */
  readonly cost: number;
  /** Fraction of the tuning data the score is based on, in (0, 1]. */
  readonly fidelity: number;
  readonly status: TrialStatus;
}

/**
 * The ask/tell plug-in interface of the tuner (cf. Optuna's samplers). The tuner calls
 * `suggest` with increasing trial ids, evaluates the config, and calls `observe` with the
 * result; nothing else is required, and the tuner never branches on a searcher's class.
 *
 * Contract (checked by `tests/search/searcher-contract.ts` for every implementation):
 * - `suggest` returns configs inside the space, whose `point` decodes to the config;
 * - two searchers built with the same seed and told the same observations suggest the same
 *   sequence;
 * - `suggest` returns `null` when the searcher has nothing new to offer, and never throws for that;
 * - `observe` with a trial id it never suggested is ignored, or throws an Error naming the id.
 */
export interface Searcher {
  /** The next trial to run, or `null` when the searcher is exhausted. */
  suggest(trialId: number): TrialSuggestion | null;
  /** Tells the searcher how a suggested trial went. */
  observe(observation: TrialObservation): void;
}
