import type { TrialState, TrialSummary } from '../tune/trial-summary.js';

/** z of a two-sided 95% normal interval. */
const Z95 = 1.959964;

/** One trial on the cost–quality front: what it scored, how sure, on how many rows, at what price. */
export interface ParetoPoint {
  trial: number;
  state: TrialState;
  /** Request parameters, with the n picked for the trial. */
  config: Record<string, unknown>;
  metric: number;
  /** 95% interval of the metric (metric ± 1.96 standard errors); null without a standard error. */
  ci: { low: number; high: number } | null;
  /** Rows of the tuning data the metric is measured on, of `total_rows`. */
  rows: number;
  total_rows: number;
  /** USD per instance at list price. */
  inference_cost: number;
}

/** A trial that was measured: it has a metric and a cost per instance (on its rows so far), and did not fail. */
export function isMeasured(t: TrialSummary): t is TrialSummary & { metric: number; inference_cost: number } {
  return t.state !== 'failed' && t.rows > 0 && typeof t.metric === 'number' && Number.isFinite(t.metric) && typeof t.inference_cost === 'number' && Number.isFinite(t.inference_cost);
}

/**
 * The trials no other trial beats on both counts: a trial is dominated when another scores at
 * least as well (higher metric for mode max, lower for min) at no higher cost per instance, and
 * is strictly better on one of them. Trials without a measurement (failed, cut before their first
 * rung) are left out; two trials at the very same point both stay. Cheapest first.
 *
 * @example
 * paretoFront(result.trials, 'max').map((p) => [p.inference_cost, p.metric]); // cost rises, metric rises
 */
export function paretoFront(trials: readonly TrialSummary[], mode: 'max' | 'min'): ParetoPoint[] {
  const sign = mode === 'min' ? -1 : 1;
  const measured = trials.filter(isMeasured);
  const front = measured.filter((t) => !measured.some((o) => dominates(o, t, sign)));
  return front.sort((a, b) => a.inference_cost - b.inference_cost || sign * (b.metric - a.metric) || a.trial - b.trial).map(paretoPoint);
}

/** A measured trial as a point of the front (see {@link ParetoPoint}). */
export function paretoPoint(t: TrialSummary & { metric: number; inference_cost: number }): ParetoPoint {
  return {
    trial: t.trial,
    state: t.state,
    config: { ...t.config },
    metric: t.metric,
    ci: t.se !== null && Number.isFinite(t.se) ? { low: t.metric - Z95 * t.se, high: t.metric + Z95 * t.se } : null,
    rows: t.rows,
    total_rows: t.total_rows,
    inference_cost: t.inference_cost,
  };
}

function dominates(a: { metric: number; inference_cost: number }, b: { metric: number; inference_cost: number }, sign: 1 | -1): boolean {
  const scoreA = sign * a.metric;
  const scoreB = sign * b.metric;
  return scoreA >= scoreB && a.inference_cost <= b.inference_cost && (scoreA > scoreB || a.inference_cost < b.inference_cost);
}
