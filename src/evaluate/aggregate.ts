import type { AggregateResult, AggregationMethod } from './aggregators.js';
import type { EvalResult } from './eval-types.js';
import { MetricAccumulator } from './metric-accumulator.js';

export type { AggregateResult, AggregationMethod, AggregatorFunction, AggregatorName } from './aggregators.js';

/**
 * Aggregate per-instance metrics. `null` entries are instances whose evaluation failed: they are
 * excluded and counted in `failed`. A metric absent from some instances is aggregated over the
 * instances that report it. With a map, metrics not in the map use `avg`.
 *
 * @example
 * aggregateMetrics([{ success: 1 }, { success: 0 }, null], 'avg');
 * // { metrics: { success: 0.5 }, instances: 2, failed: 1, counts: { success: 2 } }
 */
export function aggregateMetrics(
  perInstance: ReadonlyArray<EvalResult | null>,
  method: AggregationMethod = 'avg',
): AggregateResult {
  const acc = new MetricAccumulator();
  for (const metrics of perInstance) acc.add(metrics);
  return acc.finish(method);
}
