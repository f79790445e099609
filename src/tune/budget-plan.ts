import type { LiveTrial } from './trial-state.js';

/**
 * Budget planning for the race: what trials are expected to cost from here on, so new trials
 * start only when the budget can carry them and the promotions they may earn. Pure.
 */

/** Expected list-price cost of one more row of a trial (its own data, else the arm's probe). */
export function rowCost(t: LiveTrial, budget: number | undefined): number {
  const rows = t.plan.record.rowsDone;
  if (rows > 0) {
    const stats = t.plan.record.stats(rows);
    return stats.at(-1)?.costMean ?? budget ?? 0;
  }
  return t.arm ? t.arm.promptCost + t.plan.nRequested * t.arm.sampleCost : (budget ?? 0);
}

/**
 * Rows a trial at rung `rung` (-1: not started) is still expected to be evaluated on, when each
 * rung keeps 1/eta of the trials that reach it.
 */
export function expectedFutureRows(sizes: readonly number[], rung: number, eta = 2): number {
  let rows = 0;
  for (let j = rung + 1; j < sizes.length; j++) rows += ((sizes[j] as number) - (j > 0 ? (sizes[j - 1] as number) : 0)) / eta ** (rung < 0 ? j : j - rung);
  return rows;
}

/** Cost to take the two most advanced leaders to the whole data: money the endgame needs. */
export function finishReserve(running: readonly LiveTrial[], sizes: readonly number[], budget: number | undefined): number {
  const total = sizes.at(-1) as number;
  return leadersOf(running)
    .slice(0, 2)
    .reduce((a, t) => a + (total - (sizes[t.rung] as number)) * rowCost(t, budget), 0);
}

/** Money kept back from promotions short of the whole data (see {@link affordableMoves}). */
export interface FinalsReserve {
  /** Cost of one promotion to the whole data (see {@link finalStepReserve}). */
  step: number;
  /** How many such promotions to keep money for. */
  steps: number;
  /** Trials whose own promotions are not held back (the ones in line for the whole data). */
  exempt?: ReadonlySet<LiveTrial>;
}

/**
 * The promotions this round can pay for, most advanced and best first; the others wait. With a
 * 10% margin on the expected row cost, so a round rarely runs into the budget half-way.
 *
 * A promotion short of the whole data must also leave the `reserve`, as many final steps as
 * wanted and as the money left can still pay for: only whole-data trials can be picked, and
 * money spread over many trials on the lower rungs is otherwise missing when the best of them is
 * ready for the last rung. The trials in line for the whole data are exempt, so the reserve
 * never stops the race from reaching it.
 */
export function affordableMoves<M extends { trial: LiveTrial; to: number }>(moves: M[], sizes: readonly number[], remaining: number, budget: number | undefined, reserve: FinalsReserve = { step: 0, steps: 0 }): M[] {
  const last = sizes.length - 1;
  const ordered = [...moves].sort((a, b) => b.to - a.to || (b.trial.scores[b.trial.rung] ?? -Infinity) - (a.trial.scores[a.trial.rung] ?? -Infinity));
  const keep = reserve.step > 0 ? Math.min(reserve.steps, Math.floor(remaining / reserve.step)) * reserve.step : 0;
  const out: M[] = [];
  let left = remaining;
  for (const m of ordered) {
    const cost = moveCost(m, sizes, budget);
    const held = m.to < last && !reserve.exempt?.has(m.trial) ? keep : 0;
    if (cost > left - held) continue;
    left -= cost;
    out.push(m);
  }
  return out;
}

/** List-price cost of a promotion, with a 10% margin. */
export function moveCost(m: { trial: LiveTrial; to: number }, sizes: readonly number[], budget: number | undefined): number {
  return ((sizes[m.to] as number) - (sizes[m.trial.rung] as number)) * rowCost(m.trial, budget) * 1.1;
}

/**
 * The cost of one promotion from the last-but-one rung to the whole data, for the most advanced
 * (then best) running trial still short of it; `fallbackRowCost` per row when none has rows yet.
 */
export function finalStepReserve(running: readonly LiveTrial[], sizes: readonly number[], budget: number | undefined, fallbackRowCost: number): number {
  const last = sizes.length - 1;
  if (last < 1) return 0;
  const next = leadersOf(running.filter((t) => t.rung < last))[0];
  const perRow = next && next.rung >= 0 ? rowCost(next, budget) : fallbackRowCost;
  return ((sizes[last] as number) - (sizes[last - 1] as number)) * perRow * 1.1;
}

/** Trials ordered most advanced first, then by their score there. */
export function leadersOf(trials: readonly LiveTrial[]): LiveTrial[] {
  return [...trials].sort((a, b) => b.rung - a.rung || (b.scores[b.rung] ?? -Infinity) - (a.scores[a.rung] ?? -Infinity));
}

/**
 * How many new trials the budget can start now. Budget as a commitment: every running trial may
 * still be promoted (with the halving odds), and a new trial costs its first rung plus its
 * expected promotions. Only the new trials the budget can carry to the end are started, so money
 * is not spent on many starts and then missing for the full-data measurements that decide the
 * pick.
 */
export function newTrialsAffordable(trials: readonly LiveTrial[], sizes: readonly number[], planLeft: number, budget: number | undefined, fallbackRowCost: number): number {
  const running = trials.filter((t) => t.state === 'running' && t.rung >= 0);
  const expected = running.reduce((a, t) => a + expectedFutureRows(sizes, t.rung) * rowCost(t, budget), 0);
  const committed = Math.max(expected, finishReserve(running, sizes, budget));
  const perNew = expectedFutureRows(sizes, -1) * newTrialRowCost(trials, budget, fallbackRowCost);
  return Math.max(0, Math.floor((planLeft - committed) / perNew));
}

/**
 * Expected list-price cost of a row of a new trial: what rows have cost so far; before any, the
 * inference budget (with the samples' headroom), else what the probe saw (`fallback`).
 */
export function newTrialRowCost(trials: readonly LiveTrial[], budget: number | undefined, fallback = 0): number {
  const seen = trials.filter((t) => t.plan.record.rowsDone > 0).map((t) => rowCost(t, budget));
  const mean = seen.length ? seen.reduce((a, b) => a + b, 0) / seen.length : budget !== undefined ? budget * 1.15 : fallback;
  return Math.max(mean, 1e-9);
}

