import { setMaxListeners } from 'node:events';
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
import { armKey, asSent, enumerateArms, probeArms, refineArms, SAMPLE_HEADROOM, samplesToRequest, type ArmInfo } from './arms.js';
import { BudgetLedger, type LedgerStorage } from '../budget/ledger.js';
import type { NChoiceOptions } from './n-choice.js';
import { centerOf, maxTokensOf, planTrial, START_TEMPERATURE, trimRequest } from './plan-trial.js';
import { chooseMoves, pickBest, settleRung, type Move } from './race.js';
import { evaluateFirstRung, evaluateSlice } from './evaluate-trial.js';
import { rungSizes } from './rungs.js';
import { pooledVariance, summarize, type LiveTrial } from './trial-state.js';
import { newTrialRowCost, newTrialsAffordable } from './budget-plan.js';
import type { TrialSummary } from './trial-summary.js';
import type { TuneEvent } from './tune-events.js';
import type { TuneRun } from './tune-run.js';
import { nRangeFor, spaceWithoutN } from './n-space.js';
import { FailureWatch, evalVerdict } from './failure-watch.js';
import { TOKEN_LIMIT_KEYS } from '../completion/token-limit.js';
import { OverBudgetRegions } from './over-budget-regions.js';
import { lookVariants } from './look-variants.js';

/** Builds a searcher for the tuner (the space it gets has no n when the tuner picks n). */
export type SearcherFactory = (space: SearchSpace, rng: Rng, hints: SearcherHints) => Searcher;

/** What the tuner knows that helps a searcher (after the probe). */
export interface SearcherHints {
  /** One config per affordable arm, cheapest first. */
  initial: Config[];
  /** False for configs of arms ruled out by the probe, and for configs that trials showed over the inference budget. */
  accept: (c: Config) => boolean;
  /** What a config really sends (max_tokens capped by the probe): equal identities are one request. */
  identity: (c: Config) => string;
  /** Request keys best left where the initial configs put them (max_tokens: at the top). */
  steady: readonly string[];
  /** Configs far from a leading one that its first look should try too (see lookVariants). */
  variants?: (c: Config) => Config[];
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
  /** Where the books are kept (the trial log): told of every reservation before its request is sent. */
  books?: LedgerStorage;
  /** Rows of the first rung (default: a tenth of the data, at least 4). */
  firstRungRows?: number;
  /**
   * New trials per round after the first (default 2). Few at a time: the race then compares
   * each new config with the leaders before the next ones are started, and the budget is not
   * spread over many starts that none could finish.
   */
  newPerRound?: number;
}

/** Why the search stopped ('failures': its requests kept failing, see FailureWatch). */
export type StopReason = 'budget' | 'num_samples' | 'exhausted' | 'interrupted' | 'failures';

/** Why a search stopped, in words (for the warning on a pick measured on part of the data). */
const STOP_REASONS: Record<StopReason, string> = {
  budget: 'budget: the optimization budget ran out',
  num_samples: 'num_samples: the trial limit was reached',
  exhausted: 'exhausted: the search had nothing left to try',
  interrupted: 'interrupted',
  failures: 'failures: its requests kept failing',
};

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
  /** Set when the tune stopped because its trials kept failing: why, with the server's message. */
  failure?: string;
  /** Arms whose probe requests failed (a refused request, with the server's message): never tried. */
  droppedArms?: Array<{ arm: Record<string, unknown>; reason: string }>;
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
  // the one ledger of the run (refuses a carried spend that is not a number)
  const ledger = new BudgetLedger(opts.optimizationBudget ?? Infinity, {
    carried: opts.priorSpend ?? 0,
    storage: {
      save: (s) => {
        opts.books?.save(s);
        emit({ type: 'spend', ...s });
      },
    },
  });
  const prior = ledger.carried;
  // At the moment of an interrupt (before the cancelled requests release their reservations),
  // what is reserved is the worst case of the requests in flight, which may still be charged.
  let unsettled = 0;
  const onAbort = (): void => {
    unsettled = ledger.reserved;
  };
  // the run's own stop: an eval that fails on every answer cuts off the requests still queued
  // or in flight (their worst case counts, as after an interrupt), instead of buying a round
  const halt = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, halt.signal]) : halt.signal;
  setMaxListeners(0, signal);
  signal.addEventListener('abort', onAbort, { once: true });
  const run: TuneRun = {
    engine: opts.engine,
    ledger,
    rows: opts.rows,
    order: rng.fork('rows').shuffle(opts.rows.map((_, i) => i)),
    evaluate: opts.evaluate,
    metric: opts.metric,
    sign: opts.mode === 'min' ? -1 : 1,
    inferenceBudget: opts.inferenceBudget,
    prices: opts.prices ?? {},
    configList: opts.configList,
    allowFormatStrTemplate: opts.allowFormatStrTemplate ?? true,
    signal,
    emit,
    evals: { ok: 0, failed: 0 },
    halt: () => halt.abort(new AbortedError('the eval failed on every answer')),
  };
  const total = opts.rows.length;
  const sizes = rungSizes(total, opts.firstRungRows);
  const last = sizes.length - 1;
  const picksN = opts.inferenceBudget !== undefined;
  const searchSpace = picksN ? spaceWithoutN(opts.space) : opts.space;
  const trials: LiveTrial[] = [];
  let stopReason: StopReason = 'exhausted';
  const newPerRound = opts.newPerRound ?? 2;
  const maxTrials = opts.numSamples !== undefined && opts.numSamples > 0 ? opts.numSamples : Infinity;
  const nOpts = (rows: number): NChoiceOptions => ({ inferenceBudget: opts.inferenceBudget, totalRows: total, pooledVariance: pooledVariance(trials, rows) });
  const failures = new FailureWatch();
  let failure: string | undefined;
  const droppedArms: Array<{ arm: Record<string, unknown>; reason: string }> = [];

  emit({ type: 'start', rows: total, optimizationBudget: opts.optimizationBudget, priorSpend: prior });
  try {
    const armConfigs = enumerateArms(searchSpace, rng.fork('arms'));
    const arms = await probeArms(run, armConfigs, (c) => maxTokensOf(searchSpace, c), (c) => nRangeFor(opts.space, c).low, (c) => centerOf(searchSpace, c, START_TEMPERATURE.single));
    emit({ type: 'probe', arms: arms.size, feasible: [...arms.values()].filter((a) => a.feasible).length });
    for (const a of arms.values()) if (a.failed) droppedArms.push({ arm: a.values, reason: a.reason ?? 'its probe failed' });
    const feasibleArm = (c: Config): boolean => arms.get(armKey(c))?.feasible ?? true;
    const overBudget = new OverBudgetRegions();
    const affordable = (c: Config): boolean => feasibleArm(c) && !overBudget.covers(asSent(c, arms));
    const armOrder = armConfigs
      .filter(feasibleArm)
      .map((c) => ({ c, cost: armCost(arms.get(armKey(c))) }))
      .sort((a, b) => a.cost - b.cost)
      .map(({ c }) => c);
    const samplesOf = (c: Config): number => samplesToRequest(arms.get(armKey(c)), opts.inferenceBudget, nRangeFor(opts.space, c), nRangeFor(opts.space, c).high);
    const initial = armOrder.map((c) => centerOf(searchSpace, c, samplesOf(c) > 1 ? START_TEMPERATURE.several : START_TEMPERATURE.single));
    // before any trial, a row costs about what the cheapest arm's probe answers did, at its n
    const probeRowCost = Math.min(...[...arms.values()].filter((a) => a.feasible).map((a) => a.promptCost + a.sampleCost * nRangeFor(opts.space, a.values).high), Infinity);
    const identity = (c: Config): string => searchSpace.key(asSent(c, arms));
    // Equal scores are common on a few rows of a 0/1 metric. Between arms they go to the cheaper
    // arm; within one, by lot: by age, every tie would go to the first config tried in the arm
    // (the middle of its ranges, a guess) over the ones that looked around it.
    const ties = rng.fork('ties');
    const armRank = new Map(armOrder.map((c, i) => [armKey(c), i]));
    const tiebreak = (t: LiveTrial): number => (armRank.get(armKey(t.config)) ?? armOrder.length) + ties.fork(String(t.id)).next();
    const searcher = makeSearcher(opts.searcher, searchSpace, rng.fork('searcher'), { initial, accept: affordable, identity, steady: TOKEN_LIMIT_KEYS, variants: (c) => lookVariants(searchSpace, arms.get(armKey(c)), c) });

    for (let round = 0; ; round++) {
      if (opts.signal?.aborted) throw new AbortedError();
      // Plans are made in list prices against the whole budget (see BudgetLedger.planned); the
      // ledger separately guarantees that new money never passes what is left of the budget.
      const planLeft = ledger.planLeft;
      const moveContext = { trials, sizes, inferenceBudget: opts.inferenceBudget, planLeft, fallbackRowCost: newTrialRowCost(trials, opts.inferenceBudget, probeRowCost), tiebreak };
      const chosen = chooseMoves(moveContext, false);
      let moves: Move[] = chosen.moves;
      let budgetLimited = chosen.held;
      let wanted = round === 0 ? Math.max(newPerRound, initial.length) : newPerRound;
      wanted = Math.min(wanted, maxTrials - trials.length);
      if (opts.optimizationBudget !== undefined) {
        // the first round always starts one trial: the ledger still guards the money
        const affordable = Math.max(round === 0 ? 1 : 0, newTrialsAffordable(trials, sizes, planLeft, opts.inferenceBudget, probeRowCost));
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
        const endgame = chooseMoves(moveContext, true);
        moves = endgame.moves;
        budgetLimited ||= endgame.held;
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
        // over the budget at every n: so is every config of the arm at least as hot and as long
        if (j.t.overBudget) overBudget.add(j.t.plan.params);
      });
      for (const t of fresh) if (t.state === 'pruned_probe') searcher.observe({ trialId: t.id, score: null, cost: 0, fidelity: 0, status: 'pruned' });
      for (const j of jobs) {
        const rows = j.t.rung >= 0 ? (sizes[j.t.rung] as number) : 0;
        const summary = summarize(j.t, rows, total, opts.metric, run.sign);
        searcher.observe({ trialId: j.t.id, score: summary.lcb, cost: j.t.paid, fidelity: rows / total, status: j.t.state === 'running' || j.t.state === 'complete' ? 'complete' : j.t.state === 'failed' ? 'failed' : 'pruned' });
        emit({ type: 'trial', summary });
        failures.observe(j.t);
      }
      failure = evalVerdict(run.evals) ?? failures.verdict(armOrder.filter(feasibleArm).map(armKey));
      if (failure) {
        stopReason = 'failures';
        break;
      }
      refineArms(arms, trials);
      const leader = pickBest(trials, sizes, opts.metric, run.sign);
      if (leader) emit({ type: 'best', trial: leader.trial, score: leader.lcb ?? NaN, metric: leader.metric ?? NaN, rows: leader.rows });
      if (budgetHit) {
        stopReason = 'budget';
        break;
      }
    }
  } catch (err) {
    if (!(err instanceof AbortedError) && !(err instanceof BudgetError && trials.length > 0)) {
      signal.removeEventListener('abort', onAbort);
      throw err;
    }
    const halted = halt.signal.aborted && !opts.signal?.aborted;
    if (halted) failure = evalVerdict(run.evals);
    stopReason = halted ? 'failures' : err instanceof AbortedError ? 'interrupted' : 'budget';
    for (const t of trials) {
      if (t.state !== 'running' || t.rung >= 0) continue;
      t.state = stopReason === 'interrupted' ? 'interrupted' : stopReason === 'failures' ? 'failed' : 'budget_cut';
      if (stopReason === 'failures') t.message ??= failure;
    }
  }
  emit({ type: 'stop', reason: stopReason });
  signal.removeEventListener('abort', onAbort);
  const result = finish(trials, sizes, total, opts, run.sign, ledger, stopReason);
  if (signal.aborted && unsettled > 0) result.unsettled = unsettled;
  if (failure) result.failure = failure;
  if (droppedArms.length > 0) result.droppedArms = droppedArms;
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

function finish(trials: LiveTrial[], sizes: number[], total: number, opts: TunerOptions, sign: 1 | -1, ledger: BudgetLedger, stopReason: StopReason): TuneResult {
  // a trial still in the race when the search ends stopped at the rows it had reached
  for (const t of trials) if (t.state === 'running') t.state = 'stopped';
  const summaries = trials.map((t) => summarize(t, t.rung >= 0 ? (sizes[t.rung] as number) : 0, total, opts.metric, sign));
  const deepest = Math.max(-1, ...trials.filter((t) => t.rung >= 0).map((t) => t.rung));
  const best = pickBest(trials, sizes, opts.metric, sign, deepest >= 0 ? { inferenceBudget: opts.inferenceBudget, totalRows: total, pooledVariance: pooledVariance(trials, sizes[deepest] as number) } : undefined);
  const result: TuneResult = {
    config: best ? { ...best.config } : null,
    result: best ? { ...best.metrics, [opts.metric]: best.metric ?? NaN, inference_cost: best.inference_cost ?? NaN, rows: best.rows } : null,
    best,
    trials: summaries,
    optimizationCost: ledger.spentNow,
    totalSpend: ledger.spent,
    stopReason,
  };
  if (best && best.rows < total) result.warning = `the best config was measured on ${best.rows} of ${total} rows only (stopped: ${STOP_REASONS[stopReason]})`;
  if (!best) result.warning = noBestReason(trials);
  return result;
}

