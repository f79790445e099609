import { AbortedError, BudgetError, ConfigError, ProviderError } from '../errors.js';
import { extractTextOrFunctionCall } from '../completion/samples.js';
import type { RequestParams } from '../completion/types.js';
import { runEval } from '../evaluate/run-eval.js';
import { evalVerdict } from './failure-watch.js';
import type { Price } from '../pricing/price-table.js';
import { trimRequest } from './plan-trial.js';
import type { TrialRecord } from './trial-record.js';
import type { LiveTrial } from './trial-state.js';
import { costOfPrefix, type TuneRun } from './tune-run.js';

/** One trial's request plan: what is sent for every row. */
export interface TrialPlan {
  id: number;
  /** Request parameters without n (max_tokens already capped by the probe). */
  params: Record<string, unknown>;
  /** Samples requested per row; the n reported is picked from the grid (≤ this). */
  nRequested: number;
  price: Price | undefined;
  record: TrialRecord;
  /**
   * Answers cut off by the cap with no visible text (`finish_reason: length`, empty), common when
   * a reasoning model's hidden reasoning eats the cap, out of `samples` answers received.
   */
  empty?: { answers: number; samples: number };
}

/** What evaluating a slice of rows cost and whether the budget stopped it. */
export interface SliceOutcome {
  /** USD newly paid. */
  paid: number;
  /** A request was refused because the optimization budget could not cover it. */
  budgetHit: boolean;
}

/**
 * Evaluate a trial on rows [from, to) of the shared order: one request of `nRequested` samples
 * per row (through the shared pool, so rows of all trials interleave), then the eval on every
 * prefix of the samples in the grid, so the metric and the cost of every n ≤ nRequested come
 * from the same paid answer. A failed request marks the row failed; a budget refusal leaves the
 * row unevaluated and reports `budgetHit`; an interrupt propagates.
 */
export async function evaluateSlice(run: TuneRun, plan: TrialPlan, from: number, to: number): Promise<SliceOutcome> {
  let paid = 0;
  let budgetHit = false;
  const jobs: Array<Promise<void>> = [];
  for (let pos = from; pos < to; pos++) {
    jobs.push(
      evaluateRow(run, plan, pos).then(
        (p) => {
          paid += p;
        },
        (err: unknown) => {
          if (err instanceof BudgetError) budgetHit = true;
          else throw err;
        },
      ),
    );
  }
  const settled = await Promise.allSettled(jobs);
  const fatal = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (fatal) throw fatal.reason;
  return { paid, budgetHit };
}

/** Rows a new trial is scored on before the rest of its first rung is asked for. */
const FIRST_STEP_ROWS = 2;
/** After those rows, only samples that cost over twice the inference budget are dropped. */
const FIRST_STEP_SLACK = 2;

/**
 * A new trial's first rung in two steps: a couple of rows, then — with the request trimmed to the
 * samples those rows show can fit the budget — the rest. The request size was planned from the
 * arm's probe, whose answers can be much shorter than this config's (a high temperature rambles),
 * and a whole first rung of oversized requests can cost as much as many good rows.
 */
export async function evaluateFirstRung(run: TuneRun, t: LiveTrial, to: number): Promise<SliceOutcome> {
  const head = Math.min(FIRST_STEP_ROWS, to);
  const first = await evaluateSlice(run, t.plan, 0, head);
  if (first.budgetHit || head >= to) return first;
  trimRequest(t, head, run.inferenceBudget, FIRST_STEP_SLACK);
  const rest = await evaluateSlice(run, t.plan, head, to);
  return { paid: first.paid + rest.paid, budgetHit: rest.budgetHit };
}

async function evaluateRow(run: TuneRun, plan: TrialPlan, pos: number): Promise<number> {
  const index = run.order[pos] as number;
  const row = run.rows[index] as Record<string, unknown>;
  let response;
  try {
    response = await run.engine.create({
      params: { ...plan.params, n: plan.nRequested } as RequestParams,
      context: row,
      budget: run.ledger,
      signal: run.signal,
      allowFormatStrTemplate: run.allowFormatStrTemplate,
    });
  } catch (err) {
    if (err instanceof ProviderError) {
      plan.record.set(pos, null, `row ${index + 1}: ${err.message.split('\n').slice(0, 2).join(' ')}`);
      return 0;
    }
    if (err instanceof BudgetError || err instanceof AbortedError || err instanceof ConfigError) throw err;
    throw err;
  }
  run.ledger.plan(response.cost);
  const responses = extractTextOrFunctionCall(response);
  const empty = response.choices.filter((c, i) => c.finish_reason === 'length' && responses[i] === '').length;
  plan.empty = { answers: (plan.empty?.answers ?? 0) + empty, samples: (plan.empty?.samples ?? 0) + response.choices.length };
  const metrics = [];
  const cost = [];
  let firstError: string | undefined;
  for (const n of plan.record.grid) {
    const outcome = await runEval(run.evaluate, responses.slice(0, n), row, index);
    if (outcome.ok) {
      if (!(run.metric in outcome.metrics)) {
        throw new ConfigError(`metric ${run.metric} is not in the eval's result (it returned: ${Object.keys(outcome.metrics).join(', ') || 'nothing'})`, {
          field: 'metric',
          hint: 'set metric: to one of the keys the eval returns',
        });
      }
      metrics.push(outcome.metrics);
      run.evals.ok++;
    } else if (outcome.nonNumeric?.includes(run.metric)) {
      // a metric that is not a number cannot be optimised: an error, not a quietly failed row
      throw new ConfigError(`the eval returned a non-numeric ${run.metric} (row ${index + 1}): ${outcome.error.replace(/^instance \d+: /, '')}`, {
        field: 'metric',
        hint: `make the eval return ${run.metric} as a number (or a boolean)`,
      });
    } else {
      metrics.push(undefined);
      firstError ??= outcome.error;
      run.evals.failed++;
      run.evals.lastError = outcome.error;
      // nothing scored, and enough failures to tell: buy no more answers to fail on
      if (evalVerdict(run.evals)) run.halt?.();
    }
    cost.push(costOfPrefix(plan.price, response.usage.prompt_tokens, response.choice_tokens, n, response.usage.prompt_tokens_details?.cached_tokens ?? 0));
  }
  const first = JSON.stringify(responses[0]);
  const alike = responses.length > 1 && responses.every((r) => JSON.stringify(r) === first);
  plan.record.set(pos, { metrics, cost, cached: response.cached, alike }, firstError);
  run.emit({ type: 'row', trial: plan.id, cached: response.cached, spent: run.ledger.spent });
  return response.paid;
}
