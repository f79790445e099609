import { setMaxListeners } from 'node:events';
import { AbortedError, DatasetError } from '../errors.js';
import type { CompletionEngine } from '../completion/engine.js';
import { checkFields, streamDatasetBatches, type DatasetRow } from '../config/load-dataset.js';
import { checkEvalFields } from '../evaluate/eval-fields.js';
import { openRunContext, type RunContext } from '../context.js';
import { bootstrapMetrics, type ConfidenceInterval } from '../evaluate/bootstrap.js';
import { createRng } from '../space/rng.js';
import { mapOrdered } from '../util/ordered-map.js';
import { OutputFile } from './output-file.js';
import { runTestInstance, resultLine, TestTally, type InstanceOutcome } from './test-instance.js';
import { userPath } from '../config/request-config.js';
import { outputPath, planTest, type TestPlan } from './test-setup.js';
import type { InstanceResult, TestInput, TestReport } from './test-types.js';

export type { InstanceFailure, InstanceResult, TestEvent, TestInput, TestReport } from './test-types.js';

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
    const report = buildTestReport(tally, plan, input, total);
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
      work: async ({ row, line }: DatasetRow, index: number): Promise<InstanceOutcome> => {
        try {
          const outcome = await runTestInstance(deps, row, line, index);
          if (outcome.kind === 'stopped') halted = true; // the budget refused: take no more rows
          return outcome;
        } catch (err) {
          stop.abort(err); // a fatal error: stop the other rows too
          throw err;
        }
      },
      sink: async (outcome: InstanceOutcome) => {
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

function buildTestReport(tally: TestTally, plan: TestPlan, input: TestInput, total: number): TestReport {
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
