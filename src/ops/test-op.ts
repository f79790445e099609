import { setMaxListeners } from 'node:events';
import { AbortedError, DatasetError } from '../errors.js';
import type { CompletionEngine, FilterFunction } from '../completion/engine.js';
import type { EngineEvent } from '../completion/engine-events.js';
import type { Env } from '../completion/env-refs.js';
import type { SpendGuard } from '../budget/spend-guard.js';
import type { EndpointConfig, RequestParams } from '../completion/types.js';
import { checkFields, streamDatasetBatches, type DatasetRow } from '../config/load-dataset.js';
import { checkEvalFields } from '../evaluate/eval-fields.js';
import { openRunContext, type RunContext, type RunOptions } from '../context.js';
import type { AggregationMethod } from '../evaluate/aggregators.js';
import { bootstrapMetrics, type ConfidenceInterval } from '../evaluate/bootstrap.js';
import type { EvalFunction, EvalSandbox, EvalSpec } from '../evaluate/eval-types.js';
import { createRng } from '../space/rng.js';
import { mapOrdered } from '../util/ordered-map.js';
import { OutputFile } from './output-file.js';
import { evaluateRow, resultLine, TestTally, type InstanceFailure, type InstanceResult, type RowOutcome } from './test-instance.js';
import { outputPath, planTest, userPath, type TestPlan } from './test-setup.js';

export type { InstanceFailure, InstanceResult } from './test-instance.js';

/** Inputs of `autotune test` (the original's `Completion.test(data, eval_func, use_cache, agg_method, …, **config)`). */
export interface TestInput {
  /** A JSONL (or JSON array) file, or rows in memory. */
  data: string | readonly Record<string, unknown>[];
  /** A YAML config, e.g. the best config saved by tune: request params, `eval`, `metric`, `agg_method`, … */
  configFile?: string | undefined;
  /** Request parameters overriding the config's (model, prompt, messages, n, …). */
  params?: Partial<RequestParams> | undefined;
  /** Overrides the config's `eval`: a module path, `builtin:NAME`, `{builtin, …options}` or a function. */
  eval?: EvalSpec | EvalFunction | undefined;
  /** Overrides the config's `agg_method`: a name or module path (resolved against cwd), or a method. Default avg. */
  agg?: string | AggregationMethod | undefined;
  configListFile?: string | undefined;
  configList?: EndpointConfig[] | undefined;
  filter?: FilterFunction | undefined;
  seed?: string | undefined;
  cachePathRoot?: string | undefined;
  /** Requests in flight at once (default: the config's `concurrency`, else 8). */
  concurrency?: number | undefined;
  /** Read the cache (default true); false re-requests every row (answers are still stored). */
  useCache?: boolean | undefined;
  /** Test the first `limit` rows only. */
  limit?: number | undefined;
  /**
   * Write one JSON line per instance here: a regular file atomically (temp file + rename), a
   * device or FIFO in place, `-` to `stdout` (see OutputFile).
   */
  resultsFile?: string | undefined;
  /** Where `resultsFile: '-'` writes (the CLI passes its standard output). */
  stdout?: NodeJS.WritableStream | undefined;
  /** Keep every InstanceResult in memory and return it (the original's return_responses_and_per_instance_result): small data only. */
  returnResults?: boolean | undefined;
  /** Bootstrap confidence intervals (default seed 0, 1000 resamples, 95%); false: none. */
  ci?: { seed?: number | string; resamples?: number; confidence?: number } | false | undefined;
  /** Guard new spending (e.g. a BudgetLedger); the run stops cleanly when it refuses a request. */
  budget?: SpendGuard | undefined;
  env: Env;
  /** Relative paths (data, config, results, modules given as flags, cache root) are resolved here. */
  cwd: string;
  signal?: AbortSignal | undefined;
  onEvent?: ((e: TestEvent) => void) | undefined;
  run?: Omit<RunOptions, 'env' | 'seed' | 'cachePathRoot' | 'onEvent' | 'configList' | 'concurrency'> | undefined;
}

/** Progress reports of a test run; the CLI draws them, the library emits and forgets. */
export type TestEvent =
  | { type: 'start'; total: number; data: string }
  | { type: 'progress'; done: number; total: number; failed: number; cached: number; paid: number; listCost: number }
  | { type: 'instance_failed'; failure: InstanceFailure }
  /** Before the first request, when the eval runs model-written code: the sandbox it uses. */
  | { type: 'sandbox'; sandbox: EvalSandbox }
  | { type: 'engine'; event: EngineEvent };

/** What a test run found. */
export interface TestReport {
  /** Aggregated metrics, plus `inference_cost`: mean USD per instance at list price. */
  metrics: Record<string, number>;
  /** A bootstrap confidence interval per aggregated eval metric (not inference_cost). */
  ci: Record<string, ConfidenceInterval>;
  /** Instances run (failed ones included). */
  instances: number;
  /** Rows in the data (after `limit`). Larger than `instances` when the run stopped early. */
  total: number;
  failed: number;
  /** The first 100 failures, in input order. */
  failures: InstanceFailure[];
  /** USD spent by this run (new, uncached requests). */
  cost: number;
  /** Of `cost`, USD counted by autotune because a server's usage could not be trusted. */
  estimatedCost?: number;
  /** USD all responses are worth at list price. */
  listCost: number;
  /** Instances served entirely from the cache. */
  cached: number;
  /** The config's optimization metric and mode, when it names them. */
  metric?: string;
  mode?: 'max' | 'min';
  /** Set when the run stopped before the end: interrupted, or the budget refused a request. */
  stopped?: 'aborted' | 'budget';
  /** The sandbox the eval ran model-written code in (`builtin:code`). */
  sandbox?: EvalSandbox;
  resultsFile?: string;
  results?: InstanceResult[];
}

/**
 * Evaluate one config on a dataset, like the original's `Completion.test`: each row is the
 * template context of one `create` call, its responses are scored by the eval, and the metrics
 * are aggregated (with bootstrap confidence intervals). Rows run concurrently through the
 * engine's request pool, with a bounded window, and results keep input order. Memory is flat in
 * the number of rows: responses are not kept (unless `returnResults`), metrics are plain
 * numbers. Everything the user got wrong (config, eval, data) is reported before anything is
 * spent. A failed request or eval marks its instance failed and the run goes on; an abort or a
 * budget refusal stops it cleanly with a partial report (`stopped`).
 *
 * @example
 * const report = await runTest({ data: 'test.jsonl', configFile: 'best.yaml', env: process.env, cwd: process.cwd() });
 * report.metrics.success_vote; // e.g. 0.93
 * report.ci.success_vote;      // { low: 0.88, high: 0.97, … }
 */
export async function runTest(input: TestInput): Promise<TestReport> {
  const plan = await planTest(input);
  const sandbox = plan.evaluate.sandbox;
  if (sandbox) input.onEvent?.({ type: 'sandbox', sandbox });
  const dataName = typeof input.data === 'string' ? userPath(input.cwd, input.data) : '<rows>';
  const batches = (): AsyncIterable<DatasetRow[]> => readRowBatches(input.data, dataName, plan, input.limit);
  let total = 0;
  for await (const batch of batches()) {
    // validation pass: a bad row fails before anything is spent
    if (total === 0) checkEvalFields(plan.evaluate, batch, dataName, plan.requiredFields);
    total += batch.length;
  }
  if (input.signal?.aborted) throw new AbortedError('the test was interrupted before it started');
  // the results file first: a bad path fails before the cache is even opened
  const writer = input.resultsFile ? await OutputFile.open(outputPath(input.cwd, input.resultsFile), { field: '--results', stdout: input.stdout }) : undefined;
  let ctx: RunContext | undefined;
  try {
    let estimated = 0;
    ctx = openRunContext({
      ...plan.run,
      onEvent: (event) => {
        if (event.type === 'usage_estimated') estimated += event.cost;
        input.onEvent?.({ type: 'engine', event });
      },
    });
    const tally = new TestTally();
    const results: InstanceResult[] | undefined = input.returnResults ? [] : undefined;
    input.onEvent?.({ type: 'start', total, data: dataName });
    const stopped = await runRows({ rows: eachRow(batches()), engine: ctx.engine, plan, input, dataName, total, tally }, async (result) => {
      if (writer) await writer.write(`${JSON.stringify(resultLine(result))}\n`);
      results?.push(result);
    });
    const report = summarize(tally, plan, input, total);
    if (writer) {
      await writer.commit();
      report.resultsFile = writer.path;
    }
    if (results) report.results = results;
    if (stopped) report.stopped = stopped;
    if (estimated > 0) report.estimatedCost = estimated;
    if (sandbox) report.sandbox = sandbox;
    return report;
  } catch (err) {
    await writer?.discard();
    throw err;
  } finally {
    ctx?.close();
  }
}

// --- internal ---

interface RowsRun {
  rows: AsyncIterable<DatasetRow>;
  engine: CompletionEngine;
  plan: TestPlan;
  input: TestInput;
  dataName: string;
  total: number;
  tally: TestTally;
}

/**
 * Feed the rows through the engine with `2 × concurrency` rows in flight, tally the outcomes in
 * input order and hand each result to `keep`. Returns why the run stopped early, if it did.
 */
async function runRows(run: RowsRun, keep: (r: InstanceResult) => Promise<void>): Promise<TestReport['stopped']> {
  const { input, tally, total } = run;
  const stop = new AbortController();
  // Every request in flight listens to this signal while it runs (the transport, the pool); each
  // removes its listener when done, so it is safe to share across all rows (the transport gives
  // the openai client a per-request signal of its own, which is what that client leaks into).
  setMaxListeners(2 * run.plan.concurrency + 10, stop.signal);
  const onAbort = (): void => stop.abort(input.signal?.reason);
  input.signal?.addEventListener('abort', onAbort, { once: true });
  const deps = { engine: run.engine, plan: run.plan, useCache: input.useCache ?? true, signal: stop.signal, budget: input.budget, dataName: run.dataName, reach: { answered: false } };
  let stopped: TestReport['stopped'];
  let halted = false;
  try {
    await mapOrdered(run.rows, {
      window: 2 * run.plan.concurrency,
      shouldStop: () => stop.signal.aborted || halted,
      work: async ({ row, line }: DatasetRow, index: number): Promise<RowOutcome> => {
        try {
          const outcome = await evaluateRow(deps, row, line, index);
          if (outcome.kind === 'stopped') halted = true; // the budget refused: take no more rows
          return outcome;
        } catch (err) {
          stop.abort(err); // a fatal error: stop the other rows too
          throw err;
        }
      },
      sink: async (outcome: RowOutcome) => {
        if (outcome.kind === 'stopped') {
          stopped ??= input.signal?.aborted ? 'aborted' : outcome.reason;
          return;
        }
        tally.add(outcome);
        if (outcome.failure) input.onEvent?.({ type: 'instance_failed', failure: outcome.failure });
        await keep(outcome.result);
        input.onEvent?.({ type: 'progress', done: tally.instances, total, failed: tally.failed, cached: tally.cached, paid: tally.paid, listCost: tally.listCost });
      },
    });
  } finally {
    input.signal?.removeEventListener('abort', onAbort);
  }
  return input.signal?.aborted ? 'aborted' : stopped;
}

function summarize(tally: TestTally, plan: TestPlan, input: TestInput, total: number): TestReport {
  const aggregated = tally.metrics.finish(plan.aggregation);
  const metrics: Record<string, number> = { ...aggregated.metrics };
  if (!('inference_cost' in metrics)) metrics.inference_cost = tally.responded > 0 ? tally.listCost / tally.responded : 0;
  let ci: Record<string, ConfidenceInterval> = {};
  if (input.ci !== false) {
    const rng = createRng(input.ci?.seed ?? 0);
    ci = bootstrapMetrics(tally.metrics, plan.aggregation, {
      rng: () => rng.next(),
      ...(input.ci?.resamples !== undefined ? { resamples: input.ci.resamples } : {}),
      ...(input.ci?.confidence !== undefined ? { confidence: input.ci.confidence } : {}),
    });
  }
  return {
    metrics,
    ci,
    instances: tally.instances,
    total,
    failed: tally.failed,
    failures: tally.failures,
    cost: tally.paid,
    listCost: tally.listCost,
    cached: tally.cached,
    ...(plan.metric !== undefined ? { metric: plan.metric } : {}),
    ...(plan.mode !== undefined ? { mode: plan.mode } : {}),
  };
}

/** The rows to test, a chunk at a time (see streamDatasetBatches), the first `limit` only. */
async function* readRowBatches(
  data: string | readonly Record<string, unknown>[],
  name: string,
  { requiredFields, maxLineBytes }: Pick<TestPlan, 'requiredFields' | 'maxLineBytes'>,
  limit: number | undefined,
): AsyncGenerator<DatasetRow[]> {
  let left = limit ?? Infinity;
  if (left < 1) return;
  if (typeof data === 'string') {
    for await (const batch of streamDatasetBatches(name, { requiredFields, ...(maxLineBytes ? { maxLineBytes } : {}) })) {
      const taken = batch.length <= left ? batch : batch.slice(0, left);
      left -= taken.length;
      yield taken;
      if (left <= 0) return;
    }
    return;
  }
  if (data.length === 0) throw new DatasetError('the data has no rows', { file: name, code: 'E_DATASET_EMPTY' });
  const items: DatasetRow[] = [];
  for (const [i, row] of data.entries()) {
    if (items.length >= left) break;
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      throw new DatasetError(`row ${i} is not an object`, { file: name, line: i + 1, code: 'E_DATASET_ROW' });
    }
    const item = { row, line: i + 1 };
    checkFields(item, requiredFields, name);
    items.push(item);
  }
  yield items;
}

/** One row at a time, out of batches. */
async function* eachRow(batches: AsyncIterable<DatasetRow[]>): AsyncGenerator<DatasetRow> {
  for await (const batch of batches) yield* batch;
}
