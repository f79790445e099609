import { ChoiceDomain, ConstDomain, IntDomain, SubSpace, type Domain } from '../space/domains.js';
import { SearchSpace } from '../space/search-space.js';
import type { Config } from '../space/types.js';

/** The n values a config may use: an integer range (a constant is low = high). */
export interface NRange {
  low: number;
  high: number;
}

/**
 * The space the searcher explores when the tuner picks n itself: the same space without `n`
 * (also inside per-model sub-spaces). n is then chosen after the fact from one request's
 * samples, so searching it would only waste trials.
 */
export function spaceWithoutN(space: SearchSpace): SearchSpace {
  return new SearchSpace(stripN(space.entries));
}

function stripN(entries: Readonly<Record<string, Domain>>): Record<string, Domain> {
  const out: Record<string, Domain> = {};
  for (const [k, d] of Object.entries(entries)) {
    if (k === 'n') continue;
    out[k] = d instanceof ChoiceDomain && d.hasSubspaces ? new ChoiceDomain(d.options.map((o) => new SubSpace(stripN((o as SubSpace).entries))), k) : d;
  }
  return out;
}

/**
 * The n range that applies to `config` in the original space: the top-level `n`, or the one in
 * the per-model sub-space the config belongs to. Defaults to 1..1 when the space has no n.
 */
export function nRangeFor(space: SearchSpace, config: Config): NRange {
  return findN(space.entries, config) ?? { low: 1, high: 1 };
}

function findN(entries: Readonly<Record<string, Domain>>, config: Config): NRange | undefined {
  const top = entries.n;
  if (top) return rangeOf(top);
  for (const d of Object.values(entries)) {
    if (!(d instanceof ChoiceDomain && d.hasSubspaces)) continue;
    for (const o of d.options as SubSpace[]) {
      const matches = Object.entries(o.entries).every(([k, sub]) => k === 'n' || (sub instanceof ChoiceDomain && sub.hasSubspaces) || sub.contains(config[k]));
      if (matches) {
        const inner = findN(o.entries, config);
        if (inner) return inner;
      }
    }
  }
  return undefined;
}

function rangeOf(d: Domain): NRange {
  if (d instanceof IntDomain) return { low: d.low, high: d.high };
  if (d instanceof ConstDomain) return { low: Number(d.value), high: Number(d.value) };
  if (d instanceof ChoiceDomain) {
    const ns = d.options.map(Number).filter(Number.isFinite);
    return { low: Math.min(...ns), high: Math.max(...ns) };
  }
  const f = d as { low: number; high: number };
  return { low: Math.ceil(f.low), high: Math.floor(f.high) };
}
