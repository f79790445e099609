import { DatasetError } from '../errors.js';
import { bootstrapCI } from '../evaluate/bootstrap.js';
import { createRng } from '../space/rng.js';

/** What a report shows of one `autotune test --results FILE`: the metric with its CI, and the failures. */
export interface TestResultsData {
  file: string;
  metric: string;
  instances: number;
  /** Instances whose request or eval failed (left out of the metric). */
  failed: number;
  estimate: number;
  ci: { low: number; high: number };
  /** Mean USD per instance at list price, over the instances that answered. */
  inferenceCost: number;
  /** Per-instance failures (the first 200): the line of the results file, the row's id field if it has one, and why. */
  failures: Array<{ line: number; id?: string; error: string }>;
}

/**
 * Read the per-instance lines of `autotune test --results` (one JSON object per row: the row's
 * fields, `metrics`, `cost`, `error`) and summarise `metric` (default: the first metric of the
 * first scored line) with a 95% bootstrap CI. A line that is not JSON is an error naming it.
 */
export function readTestResults(text: string, file: string, metric?: string): TestResultsData {
  const values: number[] = [];
  const failures: TestResultsData['failures'] = [];
  let instances = 0;
  let failed = 0;
  let cost = 0;
  let answered = 0;
  let name = metric;
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(line) as Record<string, unknown>;
    } catch (err) {
      throw new DatasetError(`not a JSON line: ${(err as Error).message}`, { file, line: i + 1, code: 'E_REPORT_RESULTS', hint: 'give a file written by autotune test --results' });
    }
    instances++;
    const metrics = e.metrics && typeof e.metrics === 'object' ? (e.metrics as Record<string, unknown>) : null;
    if (typeof e.error === 'string' || !metrics) {
      failed++;
      const id = typeof e.id === 'string' || typeof e.id === 'number' ? { id: String(e.id) } : {};
      if (failures.length < 200) failures.push({ line: i + 1, ...id, error: typeof e.error === 'string' ? e.error : 'no metrics' });
      continue;
    }
    name ??= Object.keys(metrics).find((k) => typeof metrics[k] === 'number');
    const v = name === undefined ? undefined : metrics[name];
    if (typeof v === 'number' && Number.isFinite(v)) values.push(v);
    if (typeof e.cost === 'number') {
      cost += e.cost;
      answered++;
    }
  }
  if (instances === 0) throw new DatasetError('the results file has no lines', { file, code: 'E_REPORT_RESULTS', hint: 'give a file written by autotune test --results' });
  if (name === undefined || values.length === 0) {
    throw new DatasetError(`no instance has ${name === undefined ? 'a metric' : `metric ${name}`}`, { file, code: 'E_REPORT_RESULTS', hint: 'every instance failed, or the metric is named wrong' });
  }
  const rng = createRng(0);
  const ci = bootstrapCI(values, 'avg', { rng: () => rng.next() });
  return { file, metric: name, instances, failed, estimate: ci.estimate, ci: { low: ci.low, high: ci.high }, inferenceCost: answered > 0 ? cost / answered : 0, failures };
}
