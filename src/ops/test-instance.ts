import { notFoundError } from '../completion/not-found.js';
import { AbortedError, AutotuneError, BudgetError, ConfigError } from '../errors.js';
import type { CompletionEngine } from '../completion/engine.js';
import { extractTextOrFunctionCall } from '../completion/samples.js';
import type { SpendGuard } from '../budget/spend-guard.js';
import { MetricAccumulator } from '../evaluate/metric-accumulator.js';
import { runEval } from '../evaluate/run-eval.js';
import type { TestPlan } from './test-setup.js';
import type { InstanceFailure, InstanceResult } from './test-types.js';

/** One row's outcome: a result, or the reason the run stopped before the row finished. */
export type InstanceOutcome = { kind: 'done'; result: InstanceResult; failure?: InstanceFailure } | { kind: 'stopped'; reason: 'aborted' | 'budget' };

/** Request, extract and score one row. Returns `stopped` on abort/budget; throws on fatal errors. */
export async function runTestInstance(
  deps: {
    engine: CompletionEngine;
    plan: TestPlan;
    useCache: boolean;
    signal: AbortSignal;
    budget: SpendGuard | undefined;
    dataName: string;
    /** Shared by the rows of a run: set once any endpoint has answered. */
    reach?: { answered: boolean };
  },
  row: Record<string, unknown>,
  line: number,
  index: number,
): Promise<InstanceOutcome> {
  const { plan, signal } = deps;
  let response;
  try {
    response = await deps.engine.create({
      params: plan.params,
      context: row,
      useCache: deps.useCache,
      filter: plan.filter,
      raiseOnFailure: false,
      allowFormatStrTemplate: plan.allowFormatStrTemplate,
      budget: deps.budget,
      signal,
    });
  } catch (err) {
    if (err instanceof BudgetError) return { kind: 'stopped', reason: 'budget' };
    if (signal.aborted || err instanceof AbortedError) return { kind: 'stopped', reason: 'aborted' };
    throw locateError(err, deps.dataName, line);
  }
  if ('failed' in response) {
    // before any answer, no endpoint reachable at all is a wrong base_url (or a server that is
    // not up), not 300 failed instances: stop with the one error, as tune does
    if (deps.reach && !deps.reach.answered && response.failures.length > 0 && response.failures.every((f) => f.unreachable)) {
      throw new ConfigError(`no endpoint in config_list can be reached: ${response.failures.map((f) => `config ${f.configId} (${f.endpoint}): ${f.message}`).join('; ')}`, {
        code: 'E_ENDPOINT_UNREACHABLE',
        field: 'config_list',
        hint: 'check base_url (and that the server is up): in --config-list, config_list: in the config, OAI_CONFIG_LIST or OPENAI_BASE_URL',
      });
    }
    // a 404 (a model the server does not have, a wrong URL) is the same for every row: stop
    const notFound = notFoundError(String(plan.params.model), response.failures, 'model');
    if (notFound) throw notFound;
    const message = response.failures.map((f) => `config ${f.configId}: ${f.kind}${f.status ? ` ${f.status}` : ''}: ${f.message}`).join('; ') || 'no endpoint answered';
    const error = `request failed: ${message}`;
    return {
      kind: 'done',
      result: { index, line, row, responses: [], metrics: null, cost: 0, paid: response.paid, cached: false, error },
      failure: { index, line, kind: 'request', message: error },
    };
  }
  if (deps.reach) deps.reach.answered = true;
  const responses = extractTextOrFunctionCall(response);
  const outcome = await runEval(plan.evaluate, responses, row, index);
  const result: InstanceResult = { index, line, row, responses, metrics: outcome.ok ? outcome.metrics : null, cost: response.cost, paid: response.paid, cached: response.cached };
  if (outcome.ok) return { kind: 'done', result };
  result.error = outcome.error.replace(/^instance \d+: /, '');
  return { kind: 'done', result, failure: { index, line, kind: 'eval', message: result.error } };
}

/** Running totals of a test run: metrics (numbers only), costs and failures. */
export class TestTally {
  readonly metrics = new MetricAccumulator();
  /** The first failures, for the report (the count is kept for all). */
  readonly failures: InstanceFailure[] = [];
  instances = 0;
  failed = 0;
  /** Instances that got a response (the denominator of inference_cost). */
  responded = 0;
  cached = 0;
  paid = 0;
  listCost = 0;

  constructor(private readonly keepFailures = 100) {}

  add(outcome: Extract<InstanceOutcome, { kind: 'done' }>): void {
    const r = outcome.result;
    this.instances++;
    this.paid += r.paid;
    this.metrics.add(r.metrics);
    if (outcome.failure) {
      this.failed++;
      if (this.failures.length < this.keepFailures) this.failures.push(outcome.failure);
    }
    if (outcome.failure?.kind === 'request') return;
    this.responded++;
    this.listCost += r.cost;
    if (r.cached) this.cached++;
  }
}

/** The JSON line of an instance in the results file: the row's fields, then the outcome. */
export function resultLine(r: InstanceResult): Record<string, unknown> {
  const outcome = { responses: r.responses, metrics: r.metrics, cost: r.cost, paid: r.paid, cached: r.cached };
  return { ...r.row, ...outcome, ...(r.error !== undefined ? { error: r.error } : {}) };
}

// --- internal ---

/** A fatal error while running a row: say which row of which file it was. */
function locateError(err: unknown, file: string, line: number): unknown {
  if (err instanceof ConfigError && err.line === undefined) {
    return new ConfigError(err.message, {
      code: err.code,
      file,
      line,
      ...(err.field !== undefined ? { field: err.field } : {}),
      ...(err.hint !== undefined ? { hint: err.hint } : {}),
      cause: err,
    });
  }
  if (err instanceof AutotuneError) return err;
  if (err instanceof Error) err.message = `${file}:${line}: ${err.message}`;
  return err;
}
