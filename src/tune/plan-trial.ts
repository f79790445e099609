import { completionCap, isTokenLimitKey, withCompletionCap } from '../completion/token-limit.js';
import { ChoiceDomain, ConstDomain, IntDomain, isNumericDomain } from '../space/domains.js';
import { createRng } from '../space/rng.js';
import type { SearchSpace } from '../space/search-space.js';
import type { Config } from '../space/types.js';
import { cappedMaxTokens, samplesToRequest, type ArmInfo } from './arms.js';
import { nGrid } from './n-choice.js';
import { nRangeFor } from './n-space.js';
import { TrialRecord } from './trial-record.js';
import type { LiveTrial } from './trial-state.js';
import { priceFor, type TuneRun } from './tune-run.js';

/** What planning a trial needs to know. */
export interface PlanContext {
  run: TuneRun;
  /** The full space (with n), for the n range of the config. */
  space: SearchSpace;
  searchSpace: SearchSpace;
  arm: ArmInfo | undefined;
  metric: string;
  /** The tuner picks n after the fact (there is an inference budget). */
  picksN: boolean;
}

/**
 * Turn a suggested config into a trial: how many samples to request per row, the max_tokens
 * actually sent (capped by the arm's probe), the n grid to score and an empty record.
 */
export function planTrial(id: number, config: Config, ctx: PlanContext): LiveTrial {
  const range = nRangeFor(ctx.space, config);
  const ownN = typeof config.n === 'number' ? config.n : range.high;
  const nRequested = samplesToRequest(ctx.arm, ctx.picksN ? ctx.run.inferenceBudget : undefined, range, ownN);
  const { n: _n, ...params } = config as Record<string, unknown>;
  const cap = completionCap(params);
  if (cap !== undefined) Object.assign(params, withCompletionCap(params, cappedMaxTokens(ctx.arm, cap)));
  if (params.stop === null) delete params.stop;
  const model = String(params.model);
  const record = new TrialRecord(nGrid(nRequested, Math.min(range.low, nRequested)), ctx.metric, ctx.run.sign);
  const trial: LiveTrial = {
    id,
    plan: { id, params: Object.freeze(params), nRequested, price: priceFor(ctx.run, model), record },
    arm: ctx.arm,
    config,
    rung: -1,
    scores: [],
    state: 'running',
    paid: 0,
    choice: undefined,
  };
  if (ctx.arm && !ctx.arm.feasible) {
    trial.state = 'pruned_probe';
    trial.message = ctx.arm.reason ?? 'arm over the inference budget';
  }
  return trial;
}

/**
 * Ask the trial's later rows for no more samples than it can use. The request size came from the
 * arm's probe, with headroom; the trial's own rows now show what each n costs, and an n whose
 * cost is over `slack` × the inference budget beyond the noise of the rows seen (mean − 2 SE)
 * can never be picked, though every row would pay for it. Every n that may still fit stays
 * scored, so the choice of n is unchanged. A slack above 1 suits a first look on a couple of
 * rows, whose spread says little yet.
 */
export function trimRequest(t: LiveTrial, rows: number, inferenceBudget: number | undefined, slack = 1): void {
  if (inferenceBudget === undefined || t.state !== 'running' || rows <= 0) return;
  const usable = t.plan.record
    .stats(rows)
    .filter((s) => s.costMean - 2 * Math.sqrt(s.costVariance / rows) <= inferenceBudget * slack)
    .at(-1)?.n;
  if (usable === undefined || usable >= t.plan.nRequested) return;
  t.plan.nRequested = usable;
  t.plan.record.limitTo(usable);
}

/**
 * Where in its range an arm's first temperature goes. The middle of the range is no neutral
 * start: at temperature 1 (of 0–2) answers already wander and some run away to max_tokens, and
 * with one sample there is nothing to gain from diversity. So: low when the arm can afford one
 * sample only (the answer a model gives most readily is its best single guess), and moderately
 * warm when several samples can vote or be tried (diverse enough to differ, not yet rambling).
 */
export const START_TEMPERATURE = { single: 0.1, several: 0.4 } as const;

/**
 * The first config tried in an arm: the middle of every numeric range but the temperature (see
 * {@link START_TEMPERATURE}; `temperatureAt` is its place in the range), the temperature branch
 * of temperature_or_top_p, and max_tokens at its upper bound — a high max_tokens costs nothing
 * extra when answers end sooner (the probe caps what is sent), while a low one truncates answers.
 */
export function centerOf(space: SearchSpace, config: Config, temperatureAt = 0.5): Config {
  const start = space.encode(config);
  const choices = { ...start.choices };
  for (const d of space.dimensions) if (d.name === 'temperature_or_top_p' && d.domain instanceof ChoiceDomain && !d.condition) choices[d.key] = 0;
  const filled = space.completePoint({ choices, unit: start.unit }, createRng('center'));
  const unit: Record<string, number> = {};
  for (const d of space.numericDims(filled)) unit[d.key] = isTokenLimitKey(d.name) ? 1 : d.name === 'temperature' ? temperatureAt : 0.5;
  return space.decode({ choices: filled.choices, unit });
}

/** The largest completion-token cap the space allows for a config (what the probe asks for). */
export function maxTokensOf(space: SearchSpace, config: Config): number {
  const dim = space.activeDims(space.encode(config)).find((d) => isTokenLimitKey(d.name));
  const d = dim?.domain;
  if (d instanceof IntDomain) return d.high;
  if (d && isNumericDomain(d)) return Math.floor((d as { high: number }).high);
  if (d instanceof ConstDomain && typeof d.value === 'number') return d.value;
  if (d instanceof ChoiceDomain) return Math.max(...d.options.map(Number).filter(Number.isFinite));
  return completionCap(config) ?? 1000;
}
