import type { AggregateResult, AggregationMethod } from './aggregators.js';
import { resolveAggregation } from './aggregators.js';
import type { SpecLocation } from './builtins/options.js';
import type { EvalOutcome, EvalResult } from './eval-types.js';
import { FloatBuffer } from './float-buffer.js';

/**
 * Collects per-instance metrics as they stream in, then aggregates them. Values are kept (the
 * median needs all of them) in one Float64Array-backed buffer per metric, 8 bytes per value,
 * so 100k instances × a few metrics stay in the low megabytes.
 *
 * @example
 * const acc = new MetricAccumulator();
 * acc.add({ success: 1 }); acc.add(null); acc.add({ success: 0 });
 * acc.finish('avg'); // { metrics: { success: 0.5 }, instances: 2, failed: 1, counts: { success: 2 } }
 */
export class MetricAccumulator {
  readonly #buffers = new Map<string, FloatBuffer>();
  #instances = 0;
  #failed = 0;

  /** Add one instance's metrics; `null` records an instance whose evaluation failed. */
  add(metrics: EvalResult | null): void {
    if (metrics === null) {
      this.#failed++;
      return;
    }
    // checked in full before anything is kept, so a bad instance leaves no partial values
    for (const name in metrics) {
      const value = metrics[name];
      if (Object.hasOwn(metrics, name) && (typeof value !== 'number' || !Number.isFinite(value))) {
        throw new RangeError(`metric '${name}' must be a finite number, got ${String(value)} (validate with runEval first)`);
      }
    }
    this.#instances++;
    for (const name in metrics) {
      if (!Object.hasOwn(metrics, name)) continue;
      let buf = this.#buffers.get(name);
      if (buf === undefined) this.#buffers.set(name, (buf = new FloatBuffer()));
      buf.push(metrics[name] as number);
    }
  }

  /** Add the outcome of `runEval` (failures are counted, not aggregated). */
  addOutcome(outcome: EvalOutcome): void {
    this.add(outcome.ok ? outcome.metrics : null);
  }

  /** Instances added successfully. */
  get instances(): number {
    return this.#instances;
  }

  /** Instances added as failed. */
  get failed(): number {
    return this.#failed;
  }

  /** Metric names in first-seen order. */
  metricNames(): string[] {
    return [...this.#buffers.keys()];
  }

  /** The values of one metric (a view, no copy; empty if never seen). */
  values(metric: string): Float64Array {
    return this.#buffers.get(metric)?.view() ?? new Float64Array(0);
  }

  /** Aggregate everything added so far (can be called again after more `add`s). */
  finish(method: AggregationMethod = 'avg', where: SpecLocation = {}): AggregateResult {
    const lookup = resolveAggregation(method, where);
    const metrics: Record<string, number> = {};
    const counts: Record<string, number> = {};
    for (const [name, buf] of this.#buffers) {
      metrics[name] = lookup(name)(buf.view());
      counts[name] = buf.length;
    }
    return { metrics, instances: this.#instances, failed: this.#failed, counts };
  }
}
