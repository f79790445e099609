import { AbortedError, BudgetError } from '../errors.js';
import type { CompletionEngine } from '../completion/engine.js';
import type { EndpointConfig } from '../completion/types.js';
import type { EvalFunction } from '../evaluate/eval-types.js';
import type { PriceTable } from '../pricing/price-table.js';
import { CostAwareSearcher } from '../search/cost-aware-searcher.js';
import { RandomSearcher } from '../search/random-searcher.js';
import type { Searcher } from '../search/searcher.js';
import { createRng, type Rng } from '../space/rng.js';
import type { SearchSpace } from '../space/search-space.js';
import type { Config } from '../space/types.js';
import { armKey, asSent, enumerateArms, probeArms, refineArms, SAMPLE_HEADROOM, type ArmInfo } from './arms.js';
import { BudgetLedger } from './budget.js';
import { standardError, type NChoiceOptions } from './n-choice.js';
import { centerOf, maxTokensOf, planTrial, trimRequest } from './plan-trial.js';
import { evaluateFirstRung, evaluateSlice } from './evaluate-trial.js';
import { promotions, rungSizes } from './rungs.js';
import { assess, pooledVariance, summarize, type LiveTrial } from './trial-state.js';
import { affordableMoves, expectedFutureRows, finishReserve, newTrialRowCost, rowCost } from './budget-plan.js';
import type { TrialSummary } from './trial-summary.js';
import type { TuneEvent } from './tune-events.js';
import type { TuneRun } from './tune-run.js';
import { nRangeFor, spaceWithoutN } from './n-space.js';

/** Builds a searcher for the tuner (the space it gets has no n when the tuner picks n). */
export type SearcherFactory = (space: SearchSpace, rng: Rng, hints: SearcherHints) => Searcher;

/** What the tuner knows that helps a searcher (after the probe). */
export interface SearcherHints {
  /** One config per affordable arm, cheapest first. */
  initial: Config[];
  /** False for configs of arms ruled out by the probe or by their trials. */
  accept: (c: Config) => boolean;
  /** What a config really sends (max_tokens capped by the probe): equal identities are one request. */
  identity: (c: Config) => string;
  /** Request keys best left where the initial configs put them (max_tokens: at the top). */
  steady: readonly string[];
}

/** Inputs of one tune (library form of the YAML). */
export interface TunerOptions {
  engine: CompletionEngine;
  rows: readonly Record<string, unknown>[];
  evaluate: EvalFunction;
  metric: string;
  mode: 'max' | 'min';
  space: SearchSpace;
  inferenceBudget?: number | undefined;
  optimizationBudget?: number | undefined;
  /** Max trials; -1 = no limit. */
  numSamples?: number;
  searchSeed?: number;
  searcher?: 'default' | 'random' | SearcherFactory;
  prices?: PriceTable;
  configList?: readonly EndpointConfig[] | undefined;
  allowFormatStrTemplate?: boolean;
  signal?: AbortSignal | undefined;
  onEvent?: (e: TuneEvent) => void;
  /** USD an earlier run of this same tune already spent (resume): counted against the budget. */
  priorSpend?: number;
  /** Rows of the first rung (default: a tenth of the data, at least 4). */
  firstRungRows?: number;
  /** New trials per round after the first (default 4). */
  newPerRound?: number;
}

/** Why the search stopped. */
export type StopReason = 'budget' | 'num_samples' | 'exhausted' | 'interrupted';

/** What a tune returns: the best config (request parameters with n), its result, every trial. */
export interface TuneResult {
  config: Record<string, unknown> | null;
  result: (Record<string, number> & { inference_cost: number; rows: number }) | null;
  best: TrialSummary | null;
  trials: TrialSummary[];
  /** USD newly spent by this run (cache hits are free). */
  optimizationCost: number;
  /** USD spent by this tune including earlier, resumed runs. */
  totalSpend: number;
  stopReason: StopReason;
  /**
   * USD, worst case, of the requests an interrupt cut off in flight: the provider may have
   * charged them though no answer came back, so a resumed run counts them (not in `totalSpend`).
   */
  unsettled?: number;
  /** Set when the best was measured on part of the data only. */
  warning?: string;
}

/**
 * Tune: probe the arms, then race trials from the searcher over growing row subsets, scoring
 * every n from one request per row, under the inference and optimization budgets. Decisions are
 * taken between rounds only, so the search is deterministic for a given seed and warm cache,
 * while all requests of a round run concurrently through one pool.
 */
export async function tune(opts: TunerOptions): Promise<TuneResult> {
  const rng = createRng(opts.searchSeed ?? 0);
  const emit = opts.onEvent ?? (() => undefined);
  const ledger = opts.optimizationBudget === undefined ? undefined : new BudgetLedger(opts.optimizationBudget, (s) => emit({ type: 'spend', ...s }));
  const prior = Math.min(opts.priorSpend ?? 0, opts.optimizationBudget ?? Infinity);
  if (ledger && prior > 0) ledger.preCharge(prior);
  // At the moment of an interrupt (before the cancelled requests release their reservations),
  // what is reserved is the worst case of the requests in flight, which may still be charged.
  let unsettled = 0;
  const onAbort = (): void => {
    unsettled = ledger?.reserved ?? 0;
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const run: TuneRun = {
    engine: opts.engine,
    ledger,
    planned: { usd: 0 },
    rows: opts.rows,
    order: rng.fork('rows').shuffle(opts.rows.map((_, i) => i)),
    evaluate: opts.evaluate,
    metric: opts.metric,
    sign: opts.mode === 'min' ? -1 : 1,
    inferenceBudget: opts.inferenceBudget,
    prices: opts.prices ?? {},
    configList: opts.configList,
    allowFormatStrTemplate: opts.allowFormatStrTemplate ?? true,
    signal: opts.signal,
    emit,
  };
  const total = opts.rows.length;
  const sizes = rungSizes(total, opts.firstRungRows);
  const last = sizes.length - 1;
  const picksN = opts.inferenceBudget !== undefined;
  const searchSpace = picksN ? spaceWithoutN(opts.space) : opts.space;
  const trials: LiveTrial[] = [];
  let stopReason: StopReason = 'exhausted';
  const newPerRound = opts.newPerRound ?? 4;
  const maxTrials = opts.numSamples !== undefined && opts.numSamples > 0 ? opts.numSamples : Infinity;
  const nOpts = (rows: number): NChoiceOptions => ({ inferenceBudget: opts.inferenceBudget, totalRows: total, pooledVariance: pooledVariance(trials, rows) });

  emit({ type: 'start', rows: total, optimizationBudget: opts.optimizationBudget, priorSpend: prior });
  try {
    const armConfigs = enumerateArms(searchSpace, rng.fork('arms'));
    const arms = await probeArms(run, armConfigs, (c) => maxTokensOf(searchSpace, c), (c) => nRangeFor(opts.space, c).low);
    emit({ type: 'probe', arms: arms.size, feasible: [...arms.values()].filter((a) => a.feasible).length });
    const feasibleArm = (c: Config): boolean => arms.get(armKey(c))?.feasible ?? true;
    const armOrder = armConfigs
      .filter(feasibleArm)
      .map((c) => ({ c, cost: armCost(arms.get(armKey(c))) }))
      .sort((a, b) => a.cost - b.cost)
      .map(({ c }) => c);
    const initial = armOrder.map((c) => centerOf(searchSpace, c));
    // before any trial, a row costs about what the cheapest arm's probe answers did, at its n
    const probeRowCost = Math.min(...[...arms.values()].filter((a) => a.feasible).map((a) => a.promptCost + a.sampleCost * nRangeFor(opts.space, a.values).high), Infinity);
    const identity = (c: Config): string => searchSpace.key(asSent(c, arms));
    const searcher = makeSearcher(opts.searcher, searchSpace, rng.fork('searcher'), { initial, accept: feasibleArm, identity, steady: ['max_tokens'] });

    for (let round = 0; ; round++) {
      if (opts.signal?.aborted) throw new AbortedError();
      const entries = trials.map((t) => ({ id: t.id, rung: t.rung, scores: t.scores, active: t.state === 'running' }));
      let moves = promotions(entries, last).map((m) => ({ trial: trials[m.id] as LiveTrial, to: m.to })).filter((m) => canStillWin(m.trial, trials, sizes));
      // Plans are made in list prices against the whole budget (see TuneRun.planned); the ledger
      // separately guarantees that new money never passes what is left of the budget.
      const planLeft = opts.optimizationBudget === undefined ? Infinity : opts.optimizationBudget - run.planned.usd;
      const allMoves = moves.length;
      if (ledger) moves = affordableMoves(moves, sizes, planLeft, opts.inferenceBudget);
      let budgetLimited = moves.length < allMoves;
      let wanted = round === 0 ? Math.max(newPerRound, initial.length) : newPerRound;
      wanted = Math.min(wanted, maxTrials - trials.length);
      if (ledger) {
        // Budget as a commitment: every running trial may still be promoted (with the halving
        // odds), and a new trial costs its first rung plus its expected promotions. Start only
        // the new trials the budget can carry to the end, so money is not spent on many starts
        // and then missing for the full-data measurements that decide the pick.
        const running = trials.filter((t) => t.state === 'running' && t.rung >= 0);
        const expected = running.reduce((a, t) => a + expectedFutureRows(sizes, t.rung) * rowCost(t, opts.inferenceBudget), 0);
        const committed = Math.max(expected, finishReserve(running, sizes, opts.inferenceBudget));
        const perNew = expectedFutureRows(sizes, -1) * newTrialRowCost(trials, opts.inferenceBudget, probeRowCost);
        // the first round always starts one trial: the ledger still guards the money
        const affordable = Math.max(round === 0 ? 1 : 0, Math.floor((planLeft - committed) / perNew));
        if (affordable < wanted) budgetLimited = true;
        wanted = Math.min(wanted, affordable);
      }
      const fresh: LiveTrial[] = [];
      for (let i = 0; i < wanted; i++) {
        const s = searcher.suggest(trials.length);
        if (!s) break;
        const t = planTrial(s.trialId, s.config, { run, space: opts.space, searchSpace, arm: arms.get(armKey(s.config)), metric: opts.metric, picksN });
        trials.push(t);
        fresh.push(t);
      }
      if (moves.length === 0 && fresh.length === 0) {
        stopReason = trials.length >= maxTrials ? 'num_samples' : budgetLimited ? 'budget' : 'exhausted';
        break;
      }
      emit({ type: 'round', round, newTrials: fresh.length, promotions: moves.length });
      const jobs = [
        ...fresh.filter((t) => t.state === 'running').map((t) => ({ t, from: 0, to: sizes[0] as number, rung: 0 })),
        ...moves.map((m) => ({ t: m.trial, from: sizes[m.trial.rung] as number, to: sizes[m.to] as number, rung: m.to })),
      ];
      const outcomes = await Promise.all(jobs.map((j) => (j.from === 0 ? evaluateFirstRung(run, j.t, j.to) : evaluateSlice(run, j.t.plan, j.from, j.to))));
      let budgetHit = false;
      jobs.forEach((j, i) => {
        const out = outcomes[i] as { paid: number; budgetHit: boolean };
        j.t.paid += out.paid;
        if (out.budgetHit) {
          budgetHit = true;
          if (j.t.rung < 0) j.t.state = 'budget_cut';
          return;
        }
        settleRung(j.t, j.rung, sizes[j.rung] as number, last, nOpts(sizes[j.rung] as number));
        trimRequest(j.t, sizes[j.rung] as number, opts.inferenceBudget, SAMPLE_HEADROOM);
        // over the budget at every n: the arm's answers are too long or too dear, whatever the sampling
        if (j.t.state === 'pruned_budget' && j.t.arm && j.t.message?.startsWith('over the inference budget')) {
          arms.set(j.t.arm.key, { ...j.t.arm, feasible: false, reason: j.t.message });
        }
      });
      for (const t of fresh) if (t.state === 'pruned_probe') searcher.observe({ trialId: t.id, score: null, cost: 0, fidelity: 0, status: 'pruned' });
      for (const j of jobs) {
        const rows = j.t.rung >= 0 ? (sizes[j.t.rung] as number) : 0;
        const summary = summarize(j.t, rows, total, opts.metric, run.sign);
        searcher.observe({ trialId: j.t.id, score: summary.lcb, cost: j.t.paid, fidelity: rows / total, status: j.t.state === 'running' || j.t.state === 'complete' ? 'complete' : j.t.state === 'failed' ? 'failed' : 'pruned' });
        emit({ type: 'trial', summary });
      }
      refineArms(arms, trials);
      const leader = pickBest(trials, sizes, total, opts.metric, run.sign);
      if (leader) emit({ type: 'best', trial: leader.trial, score: leader.lcb ?? NaN, metric: leader.metric ?? NaN, rows: leader.rows });
      if (budgetHit) {
        stopReason = 'budget';
        break;
      }
    }
  } catch (err) {
    if (!(err instanceof AbortedError) && !(err instanceof BudgetError && trials.length > 0)) {
      opts.signal?.removeEventListener('abort', onAbort);
      throw err;
    }
    stopReason = err instanceof AbortedError ? 'interrupted' : 'budget';
    for (const t of trials) if (t.state === 'running' && t.rung < 0) t.state = stopReason === 'interrupted' ? 'interrupted' : 'budget_cut';
  }
  emit({ type: 'stop', reason: stopReason });
  opts.signal?.removeEventListener('abort', onAbort);
  const result = finish(trials, sizes, total, opts, run.sign, ledger, prior, stopReason);
  if (stopReason === 'interrupted' && unsettled > 0) result.unsettled = unsettled;
  return result;
}

/** Why no config came out: say what actually happened to the trials. */
function noBestReason(trials: readonly LiveTrial[]): string {
  if (trials.length === 0) return 'no trial could start (the optimization budget does not cover one, or no arm is within the inference budget)';
  const failed = trials.filter((t) => t.state === 'failed');
  if (failed.length === trials.length) return `every trial failed: ${failed[0]?.message ?? 'unknown error'}`;
  return 'no trial produced a config within the inference budget';
}

function makeSearcher(kind: TunerOptions['searcher'], space: SearchSpace, rng: Rng, hints: SearcherHints): Searcher {
  if (typeof kind === 'function') return kind(space, rng, hints);
  if (kind === 'random') return new RandomSearcher(space, rng);
  return new CostAwareSearcher(space, rng, hints);
}

function armCost(arm: ArmInfo | undefined): number {
  return arm ? arm.promptCost + arm.sampleCost : Infinity;
}

/**
 * Racing elimination: a trial whose paired difference with the leader at the same rows is
 * clearly negative (mean + 2 SE < 0) cannot win and is not promoted. Trials share the row order,
 * so the comparison is paired: questions that are hard for one config are hard for the other,
 * and the difference is far less noisy than either score alone.
 */
function canStillWin(t: LiveTrial, trials: readonly LiveTrial[], sizes: readonly number[]): boolean {
  const rows = sizes[t.rung] as number;
  const c = t.choice;
  if (!c || c.index < 0) return true;
  const rivals = trials.filter((x) => x !== t && x.rung >= t.rung && x.choice?.feasible && x.state !== 'failed');
  const leader = rivals.sort((a, b) => (b.scores[t.rung] ?? -Infinity) - (a.scores[t.rung] ?? -Infinity) || a.id - b.id)[0];
  if (!leader?.choice || (leader.scores[t.rung] ?? -Infinity) <= (t.scores[t.rung] ?? -Infinity)) return true;
  const mine = t.plan.record.scoresAt(rows, c.index);
  const theirs = leader.plan.record.scoresAt(rows, leader.choice.index);
  const d = mine.map((x, i) => x - (theirs[i] as number)).filter(Number.isFinite);
  if (d.length < 2) return true;
  const mean = d.reduce((a, b) => a + b, 0) / d.length;
  const variance = d.reduce((a, b) => a + (b - mean) ** 2, 0) / (d.length - 1);
  const se = standardError(variance, d.length, Math.max(variance, 1 / d.length));
  if (mean + 2 * se >= 0) return true;
  t.state = 'pruned';
  t.message = `cannot beat trial #${leader.id} on the same ${rows} rows (difference ${mean.toFixed(3)} ± ${se.toFixed(3)})`;
  return false;
}

function settleRung(t: LiveTrial, rung: number, rows: number, last: number, nOpts: NChoiceOptions): void {
  t.rung = rung;
  const { choice, overBudget } = assess(t, rows, nOpts);
  t.choice = choice;
  t.scores[rung] = choice.feasible ? choice.lcb : -Infinity;
  if (t.plan.record.failureRate(rows) > 0.5) {
    t.state = 'failed';
    t.message = t.plan.record.errors[0]?.message ?? 'most rows failed';
  } else if (overBudget) {
    t.state = 'pruned_budget';
    t.message = `over the inference budget at every n (cheapest about $${choice.costMean.toPrecision(3)} per instance)`;
  } else if (rung === last) t.state = 'complete';
  else if (!choice.feasible) {
    t.state = 'pruned_budget';
    t.message = 'no n fits the inference budget with confidence';
  }
}

/** The pick: best lower confidence bound among trials measured on all rows; else the deepest. */
function pickBest(trials: readonly LiveTrial[], sizes: readonly number[], total: number, metric: string, sign: 1 | -1): TrialSummary | null {
  const candidates = trials.filter((t) => t.rung >= 0 && t.choice?.feasible && t.state !== 'failed');
  if (candidates.length === 0) return null;
  const deepest = Math.max(...candidates.map((t) => t.rung));
  const pool = candidates.filter((t) => t.rung === deepest);
  pool.sort((a, b) => (b.choice?.lcb ?? -Infinity) - (a.choice?.lcb ?? -Infinity) || (a.choice?.costMean ?? 0) - (b.choice?.costMean ?? 0) || a.id - b.id);
  const best = pool[0] as LiveTrial;
  return summarize(best, sizes[best.rung] as number, total, metric, sign);
}

function finish(trials: LiveTrial[], sizes: number[], total: number, opts: TunerOptions, sign: 1 | -1, ledger: BudgetLedger | undefined, prior: number, stopReason: StopReason): TuneResult {
  // a trial still in the race when the search ends stopped at the rows it had reached
  for (const t of trials) if (t.state === 'running') t.state = 'stopped';
  const summaries = trials.map((t) => summarize(t, t.rung >= 0 ? (sizes[t.rung] as number) : 0, total, opts.metric, sign));
  const best = pickBest(trials, sizes, total, opts.metric, sign);
  const spent = ledger ? ledger.spent : trials.reduce((s, t) => s + t.paid, 0);
  const result: TuneResult = {
    config: best ? { ...best.config } : null,
    result: best ? { ...best.metrics, [opts.metric]: best.metric ?? NaN, inference_cost: best.inference_cost ?? NaN, rows: best.rows } : null,
    best,
    trials: summaries,
    optimizationCost: spent - prior,
    totalSpend: spent,
    stopReason,
  };
  if (best && best.rows < total) result.warning = `the best config was measured on ${best.rows} of ${total} rows only (the budget ran out first)`;
  if (!best) result.warning = noBestReason(trials);
  return result;
}

