import { AbortedError, ConfigError } from '../errors.js';
import type { Env } from '../completion/env-refs.js';
import type { RunOptions } from '../context.js';
import { pairedDifference, type PairedDifference } from '../report/paired-difference.js';
import { createRng } from '../space/rng.js';
import { loadRequestConfig } from '../config/load-request-config.js';
import { resolve } from 'node:path';
import { runTest, type InstanceResult, type TestEvent, type TestReport } from './test-op.js';

/** Inputs of `autotune compare a.yaml b.yaml --data test.jsonl`, already parsed from flags. */
export interface CompareInput {
  /** Two config files (e.g. saved by tune): request parameters, eval, metric. */
  configA: string;
  configB: string;
  data: string;
  /** The metric to compare (default: the one the configs name). */
  metric?: string | undefined;
  seed?: string | undefined;
  cachePathRoot?: string | undefined;
  concurrency?: number | undefined;
  limit?: number | undefined;
  /** Seed of the bootstrap (default 0). */
  ciSeed?: number | undefined;
  resamples?: number | undefined;
  env: Env;
  cwd: string;
  signal?: AbortSignal | undefined;
  /** Progress of each config's run, tagged with which one it is. */
  onEvent?: ((side: 'a' | 'b', e: TestEvent) => void) | undefined;
  run?: Omit<RunOptions, 'env' | 'seed' | 'cachePathRoot' | 'onEvent' | 'configList' | 'concurrency'> | undefined;
}

/** One config's side of a comparison. */
export interface CompareSide {
  config: string;
  /** Mean of the metric over the paired rows. */
  metric: number;
  /** Mean USD per instance at list price over the paired rows. */
  inference_cost: number;
  /** USD newly spent on this side (cache hits are free). */
  paid: number;
  /** Instances served from the cache. */
  cached: number;
  failed: number;
}

/** What `compare` found: both sides, and their paired differences (a − b). */
export interface CompareReport {
  metric: string;
  mode: 'max' | 'min' | undefined;
  /** Rows both configs answered and the eval scored (the differences are over these). */
  rows: number;
  /** Rows of the data run. */
  total: number;
  a: CompareSide;
  b: CompareSide;
  /** metric(a) − metric(b), 95% paired interval and p-value. */
  difference: PairedDifference;
  /** inference_cost(a) − inference_cost(b), 95% paired interval. */
  cost_difference: PairedDifference;
  /** Which config scores better where the interval excludes 0 (by mode; max when unknown), else null. */
  better: 'a' | 'b' | null;
}

/**
 * Run two configs on the same rows (one after the other, through the same cache: samples either
 * has drawn are reused, and a re-run costs nothing) and compare them row by row: the paired
 * difference of the metric with a 95% bootstrap interval and a p-value (McNemar's exact test for
 * 0/1 metrics), and the difference in cost per instance. Rows either config failed on are left
 * out of both.
 *
 * @example
 * const r = await runCompare({ configA: 'best.yaml', configB: 'baseline.yaml', data: 'test.jsonl', env: process.env, cwd: process.cwd() });
 * r.difference; // { estimate: 0.07, low: 0.03, high: 0.11, pValue: 0.001, method: 'mcnemar', n: 300 }
 */
export async function runCompare(input: CompareInput): Promise<CompareReport> {
  // both files are read before a request is sent: a mistake in b costs nothing spent on a
  const named = await namedMetric(input);
  const a = await runSide(input, 'a');
  const b = await runSide(input, 'b');
  const metric = named ?? onlyMetric(a.report);
  const paired = pairRows(metric, a.results, b.results);
  if (paired.a.length === 0) {
    throw new ConfigError(`no row was scored by both configs on metric ${metric}`, { field: 'metric', hint: 'check the failures above (requests or eval), or name another metric with --metric' });
  }
  const rng = createRng(input.ciSeed ?? 0);
  const stats = { rng: () => rng.next(), ...(input.resamples !== undefined ? { resamples: input.resamples } : {}) };
  const difference = pairedDifference(paired.a, paired.b, stats);
  const costDifference = pairedDifference(paired.costA, paired.costB, stats);
  const mode = a.report.mode ?? b.report.mode;
  const sign = mode === 'min' ? -1 : 1;
  const better = difference.low > 0 ? (sign > 0 ? 'a' : 'b') : difference.high < 0 ? (sign > 0 ? 'b' : 'a') : null;
  return {
    metric,
    mode,
    rows: paired.a.length,
    total: a.report.instances,
    a: side(input.configA, a.report, paired.a, paired.costA),
    b: side(input.configB, b.report, paired.b, paired.costB),
    difference,
    cost_difference: costDifference,
    better,
  };
}

// --- internal ---

async function runSide(input: CompareInput, which: 'a' | 'b'): Promise<{ report: TestReport; results: InstanceResult[] }> {
  const report = await runTest({
    data: input.data,
    configFile: which === 'a' ? input.configA : input.configB,
    seed: input.seed,
    cachePathRoot: input.cachePathRoot,
    concurrency: input.concurrency,
    limit: input.limit,
    returnResults: true,
    ci: false,
    env: input.env,
    cwd: input.cwd,
    signal: input.signal,
    onEvent: (e) => input.onEvent?.(which, e),
    ...(input.run ? { run: input.run } : {}),
  });
  // a comparison on part of the rows would not be the one asked for
  if (report.stopped) throw new AbortedError(`compare was interrupted while running ${which === 'a' ? input.configA : input.configB} (${report.instances} of ${report.total} rows)`);
  return { report, results: report.results ?? [] };
}

/** The metric to compare, if named: the flag, else the one the configs name (the same in both). */
async function namedMetric(input: CompareInput): Promise<string | undefined> {
  const [a, b] = await Promise.all([input.configA, input.configB].map((f) => loadRequestConfig(resolve(input.cwd, f))));
  if (input.metric) return input.metric;
  const ma = typeof a?.run.metric === 'string' ? a.run.metric : undefined;
  const mb = typeof b?.run.metric === 'string' ? b.run.metric : undefined;
  if (ma && mb && ma !== mb) {
    throw new ConfigError(`the configs optimise different metrics: ${ma} (${input.configA}) and ${mb} (${input.configB})`, { field: '--metric', hint: 'name the one to compare with --metric' });
  }
  return ma ?? mb;
}

/** Neither config names a metric: the eval's only one. */
function onlyMetric(a: TestReport): string {
  const names = Object.keys(a.metrics).filter((k) => k !== 'inference_cost');
  if (names.length === 1) return names[0] as string;
  throw new ConfigError(`neither config names a metric, and the eval returns ${names.length === 0 ? 'none' : names.join(', ')}`, { field: '--metric', hint: 'name the metric to compare with --metric' });
}

function pairRows(metric: string, a: readonly InstanceResult[], b: readonly InstanceResult[]): { a: number[]; b: number[]; costA: number[]; costB: number[] } {
  const out = { a: [] as number[], b: [] as number[], costA: [] as number[], costB: [] as number[] };
  const byIndex = new Map(b.map((r) => [r.index, r]));
  for (const ra of a) {
    const rb = byIndex.get(ra.index);
    const x = valueOf(ra, metric);
    const y = rb ? valueOf(rb, metric) : undefined;
    if (x === undefined || y === undefined || !rb) continue;
    out.a.push(x);
    out.b.push(y);
    out.costA.push(ra.cost);
    out.costB.push(rb.cost);
  }
  return out;
}

function valueOf(r: InstanceResult, metric: string): number | undefined {
  const v = r.metrics?.[metric];
  if (typeof v === 'boolean') return v ? 1 : 0;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function side(config: string, report: TestReport, values: readonly number[], costs: readonly number[]): CompareSide {
  const avg = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  return { config, metric: avg(values), inference_cost: avg(costs), paid: report.cost, cached: report.cached, failed: report.failed };
}
