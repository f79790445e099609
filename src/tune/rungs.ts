/**
 * Successive halving over rows ("racing"): every trial starts on a handful of rows, and only the
 * better part of the trials at a rung earns twice as many rows, up to the whole tuning set. All
 * trials share one row order, so trials at a rung are compared on the same rows. Pure.
 */

/**
 * Rows at each rung: a first rung of a handful of rows (tiny first rungs promote lucky configs),
 * doubling, and the whole data as the last rung.
 */
export function rungSizes(totalRows: number, firstRung?: number): number[] {
  if (totalRows <= 0) return [];
  const first = Math.min(totalRows, firstRung ?? Math.max(4, Math.ceil(totalRows / 10)));
  const sizes = [first];
  while ((sizes.at(-1) as number) < totalRows) {
    const next = (sizes.at(-1) as number) * 2;
    sizes.push(next >= totalRows * 0.75 ? totalRows : next);
  }
  return sizes;
}

/** A trial as the promotion rule sees it. */
export interface RungEntry {
  id: number;
  /** Highest rung completed (-1: none). */
  rung: number;
  /** Ranking score at each completed rung (lower confidence bound; -Infinity when infeasible). */
  scores: readonly number[];
  /** Still eligible to go on (not pruned, failed or complete). */
  active: boolean;
  /** Order among equal scores, lowest first (default: the id). */
  tiebreak?: number;
}

/**
 * Which trials move up a rung: at each rung, the top 1/eta of all trials that reached it (by
 * their score there) that have not moved up yet. Ties go to the lower `tiebreak`, else the
 * earlier trial.
 *
 * With `contested`, the whole data is not given away unopposed: until some trial has reached the
 * last rung, a trial alone at the rung before it waits for a rival to be compared with on the
 * same rows. (Otherwise the first config to start — the middle of the best arm — takes the
 * most expensive measurement by default, before any challenger could reach it.)
 */
export function promotions(entries: readonly RungEntry[], lastRung: number, options: { eta?: number; contested?: boolean } = {}): Array<{ id: number; to: number }> {
  const { eta = 2, contested = false } = options;
  const out: Array<{ id: number; to: number }> = [];
  const lastTaken = entries.some((e) => e.rung >= lastRung);
  for (let r = 0; r < lastRung; r++) {
    const reached = entries.filter((e) => e.rung >= r && Number.isFinite(e.scores[r] ?? -Infinity));
    const alone = contested && r === lastRung - 1 && !lastTaken && reached.length < 2;
    const quota = alone ? 0 : Math.ceil(reached.length / eta);
    const top = [...reached].sort((a, b) => (b.scores[r] as number) - (a.scores[r] as number) || (a.tiebreak ?? a.id) - (b.tiebreak ?? b.id) || a.id - b.id).slice(0, quota);
    for (const e of top) if (e.active && e.rung === r) out.push({ id: e.id, to: r + 1 });
  }
  return out;
}
