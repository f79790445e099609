import { affordableMoves, finalStepReserve, leadersOf, moveCost } from './budget-plan.js';
import { choiceAt, fitsBudget, noWorse, standardError, type NChoice, type NChoiceOptions, type NStats } from './n-choice.js';
import { promotions } from './rungs.js';
import { assess, summarize, type LiveTrial } from './trial-state.js';
import type { TrialSummary } from './trial-summary.js';

/**
 * The race over rows: which trials move up a rung this round, how a rung's result settles a
 * trial, and which trial is the pick. Decisions only; the tuner does the requests.
 */

/** A promotion: `trial` is to be evaluated up to rung `to`. */
export interface Move {
  trial: LiveTrial;
  to: number;
}

/** What choosing this round's promotions needs to know. */
export interface MoveContext {
  trials: readonly LiveTrial[];
  sizes: readonly number[];
  inferenceBudget: number | undefined;
  /** Money the plan has left (list prices); Infinity without an optimization budget. */
  planLeft: number;
  /** Expected cost of a row when no running trial has rows yet. */
  fallbackRowCost: number;
  /** Order among equal scores, lowest first. */
  tiebreak: (t: LiveTrial) => number;
}

/**
 * This round's promotions, and whether the budget held some back.
 *
 * Normally: the better half of each rung (successive halving), where the first promotion to the
 * whole data is contested (see `promotions`), and the money for two whole-data measurements is
 * kept back from promotions on the lower rungs (see `affordableMoves`).
 *
 * In the `endgame` — nothing else can start or move — a trial no longer waits for its rung to
 * fill: the most advanced (then best) trial that can still win and whose way to the whole data
 * the money covers moves up, one per round, so the money left finishes one trial instead of
 * spreading over several that none could finish.
 */
export function chooseMoves(ctx: MoveContext, endgame: boolean): { moves: Move[]; held: boolean } {
  const { trials, sizes, inferenceBudget, planLeft } = ctx;
  const last = sizes.length - 1;
  const entries = trials.map((t) => ({ id: t.id, rung: t.rung, scores: t.scores, active: t.state === 'running', tiebreak: ctx.tiebreak(t) }));
  const all: Move[] = promotions(entries, last, endgame ? { eta: 1 } : { contested: true })
    .map((m) => ({ trial: trials[m.id] as LiveTrial, to: m.to }))
    .filter((m) => canStillWin(m.trial, trials, sizes));
  if (planLeft === Infinity) return { moves: all, held: false };
  if (endgame) {
    const finishable = byReach(
      leadersOf(all.map((m) => m.trial)).filter((t) => moveCost({ trial: t, to: last }, sizes, inferenceBudget) <= planLeft),
      trials,
      sizes,
    );
    const first = finishable[0];
    return { moves: all.filter((m) => m.trial === first), held: finishable.length < all.length };
  }
  const running = trials.filter((t) => t.state === 'running');
  const complete = trials.filter((t) => t.state === 'complete').length;
  const moves = affordableMoves(all, sizes, planLeft, inferenceBudget, {
    step: finalStepReserve(running, sizes, inferenceBudget, ctx.fallbackRowCost),
    // the pick wants two trials on the whole data, to compare
    steps: Math.max(0, 2 - complete),
    exempt: new Set(leadersOf(running).slice(0, 2)),
  });
  return { moves, held: moves.length < all.length };
}

/**
 * Racing elimination: a trial whose paired difference with the leader at the same rows is
 * clearly negative (mean + 2 SE < 0) cannot win and is not promoted. Trials share the row order,
 * so the comparison is paired: questions that are hard for one config are hard for the other,
 * and the difference is far less noisy than either score alone.
 *
 * Once a trial is measured on the whole data (the champion), a challenger for the whole data
 * must not be behind it on the rows both have (paired mean difference >= 0). The step to the
 * whole data is the dearest of the race and only matters if the challenger ends up ahead (its
 * lower bound there needs about the champion's mean); one behind on the shared rows must gain it
 * back on the rest, which it seldom does, and its measurement takes the money that would have
 * brought rivals level with the champion up from the lower rungs. (At $0.5 the 2-SE test above
 * let gpt-4 direct configs, 0.77 on all rows, take the second final from gpt-3.5 CoT ones at 0.93.)
 */
export function canStillWin(t: LiveTrial, trials: readonly LiveTrial[], sizes: readonly number[]): boolean {
  const rows = sizes[t.rung] as number;
  const c = t.choice;
  if (!c || c.index < 0) return true;
  const champion = completeLeader(trials);
  if (champion && champion !== t && t.rung === sizes.length - 2) {
    const gap = pairedGap(t, champion, rows);
    if (gap && gap.mean < 0) {
      t.state = 'pruned';
      t.message = `behind trial #${champion.id} on the same ${rows} rows (difference ${gap.mean.toFixed(3)} ± ${gap.se.toFixed(3)}): not worth the whole data`;
      return false;
    }
  }
  const rivals = trials.filter((x) => x !== t && x.rung >= t.rung && x.choice?.feasible && x.state !== 'failed');
  const leader = rivals.sort((a, b) => (b.scores[t.rung] ?? -Infinity) - (a.scores[t.rung] ?? -Infinity) || a.id - b.id)[0];
  if (!leader?.choice || (leader.scores[t.rung] ?? -Infinity) <= (t.scores[t.rung] ?? -Infinity)) return true;
  const gap = pairedGap(t, leader, rows);
  if (!gap || gap.mean + 2 * gap.se >= 0) return true;
  t.state = 'pruned';
  t.message = `cannot beat trial #${leader.id} on the same ${rows} rows (difference ${gap.mean.toFixed(3)} ± ${gap.se.toFixed(3)})`;
  return false;
}

/**
 * Trials in order of their chance to overtake the trial already on the whole data: by the lower
 * bound of their paired difference with it on the rows each has (most advanced first without
 * such a trial, or among equals). Ranked by its own score instead, a trial measured on 24 rows
 * beats one on 6 for its row count alone, and the last money goes to finishing a config that
 * is behind the leader on the same rows while level ones never get past the first rung.
 */
function byReach(ordered: LiveTrial[], trials: readonly LiveTrial[], sizes: readonly number[]): LiveTrial[] {
  const champion = completeLeader(trials);
  if (!champion) return ordered;
  const reach = new Map(ordered.map((t) => {
    const gap = pairedGap(t, champion, sizes[t.rung] as number);
    return [t, gap ? gap.mean - gap.se : -Infinity];
  }));
  return [...ordered].sort((a, b) => (reach.get(b) as number) - (reach.get(a) as number));
}

/** The best trial measured on the whole data (by its lower bound), if any. */
export function completeLeader(trials: readonly LiveTrial[]): LiveTrial | undefined {
  const done = trials.filter((t) => t.state === 'complete' && t.choice?.feasible);
  return done.sort((a, b) => (b.choice?.lcb ?? -Infinity) - (a.choice?.lcb ?? -Infinity) || a.id - b.id)[0];
}

/**
 * Paired difference of `t` minus `other` over the first `rows` rows (each at its chosen n), with
 * its standard error; undefined when there are fewer than 2 rows to compare.
 */
export function pairedGap(t: LiveTrial, other: LiveTrial, rows: number): { mean: number; se: number } | undefined {
  if (!t.choice || t.choice.index < 0 || !other.choice || other.choice.index < 0) return undefined;
  const mine = t.plan.record.scoresAt(rows, t.choice.index);
  const theirs = other.plan.record.scoresAt(rows, other.choice.index);
  const d = mine.map((x, i) => x - (theirs[i] as number)).filter(Number.isFinite);
  if (d.length < 2) return undefined;
  const mean = d.reduce((a, b) => a + b, 0) / d.length;
  const variance = d.reduce((a, b) => a + (b - mean) ** 2, 0) / (d.length - 1);
  return { mean, se: standardError(variance, d.length, Math.max(variance, 1 / d.length)) };
}

/** Record a trial's result at `rung`: its n, its score there, and whether it goes on. */
export function settleRung(t: LiveTrial, rung: number, rows: number, last: number, nOpts: NChoiceOptions): void {
  t.rung = rung;
  const { choice, overBudget } = assess(t, rows, nOpts);
  t.choice = choice;
  t.scores[rung] = choice.feasible ? choice.lcb : -Infinity;
  if (t.plan.record.failureRate(rows) > 0.5) {
    t.state = 'failed';
    t.message = t.plan.record.errors[0]?.message ?? 'most rows failed';
  } else if (overBudget) {
    t.state = 'pruned_budget';
    t.overBudget = true;
    t.message = `over the inference budget at every n (cheapest about $${choice.costMean.toPrecision(3)} per instance)`;
  } else if (rung === last) t.state = 'complete';
  else if (!choice.feasible) {
    t.state = 'pruned_budget';
    t.message = 'no n fits the inference budget with confidence';
  }
}

/**
 * The pick, among the trials measured on the most rows (all rows, once any is): the cheapest of
 * those that score no worse than the one with the best lower confidence bound, on the same rows
 * (see `noWorse`); and where its samples never differed on any row, its fewest samples (more of
 * them cannot change a thing). A dearer config, or more samples, that change nothing on the
 * evidence are not worth the user's money.
 */
export function pickBest(trials: readonly LiveTrial[], sizes: readonly number[], metric: string, sign: 1 | -1, nOpts?: NChoiceOptions): TrialSummary | null {
  const candidates = trials.filter((t) => t.rung >= 0 && t.choice?.feasible && t.state !== 'failed');
  if (candidates.length === 0) return null;
  const deepest = Math.max(...candidates.map((t) => t.rung));
  const pool = candidates.filter((t) => t.rung === deepest);
  pool.sort((a, b) => (b.choice?.lcb ?? -Infinity) - (a.choice?.lcb ?? -Infinity) || (a.choice?.costMean ?? 0) - (b.choice?.costMean ?? 0) || a.id - b.id);
  const best = pool[0] as LiveTrial;
  const rows = sizes[best.rung] as number;
  if (!nOpts) return summarize(best, rows, sizes.at(-1) as number, metric, sign);
  const scoresOf = (t: LiveTrial): number[] => t.plan.record.scoresAt(rows, (t.choice as NChoice).index);
  const cheapest = pool
    .filter((t) => t === best || noWorse(scoresOf(t), scoresOf(best)))
    .map((t) => ({ ...t, choice: fewestIfAlike(t, rows, nOpts) }))
    .sort((a, b) => a.choice.costMean - b.choice.costMean || b.choice.lcb - a.choice.lcb || a.id - b.id)[0];
  return summarize(cheapest as LiveTrial, rows, sizes.at(-1) as number, metric, sign);
}

/** A trial's choice of n, or its smallest n where its samples were alike on every row. */
function fewestIfAlike(t: LiveTrial, rows: number, nOpts: NChoiceOptions): NChoice {
  const chosen = t.choice as NChoice;
  if (chosen.index <= 0 || !t.plan.record.samplesAlwaysAlike(rows)) return chosen;
  const stats = t.plan.record.stats(rows);
  return fitsBudget(stats[0] as NStats, nOpts) ? choiceAt(stats, 0, nOpts) : chosen;
}
