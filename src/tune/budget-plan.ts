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
  return [...running]
    .sort((a, b) => b.rung - a.rung || (b.scores[b.rung] ?? -Infinity) - (a.scores[a.rung] ?? -Infinity))
    .slice(0, 2)
    .reduce((a, t) => a + (total - (sizes[t.rung] as number)) * rowCost(t, budget), 0);
}

/**
 * The promotions this round can pay for, most advanced and best first; the others wait. With a
 * 10% margin on the expected row cost, so a round rarely runs into the budget half-way.
 */
export function affordableMoves<M extends { trial: LiveTrial; to: number }>(moves: M[], sizes: readonly number[], remaining: number, budget: number | undefined): M[] {
  const ordered = [...moves].sort((a, b) => b.to - a.to || (b.trial.scores[b.trial.rung] ?? -Infinity) - (a.trial.scores[a.trial.rung] ?? -Infinity));
  const out: M[] = [];
  let left = remaining;
  for (const m of ordered) {
    const cost = ((sizes[m.to] as number) - (sizes[m.trial.rung] as number)) * rowCost(m.trial, budget) * 1.1;
    if (cost > left) continue;
    left -= cost;
    out.push(m);
  }
  return out;
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

