import { ChoiceDomain, isNumericDomain } from '../space/domains.js';
import type { Rng } from '../space/rng.js';
import type { SearchSpace } from '../space/search-space.js';
import type { Config, Point } from '../space/types.js';
import type { Searcher, TrialObservation, TrialSuggestion } from './searcher.js';

/** Options of {@link CostAwareSearcher}. */
export interface CostAwareSearcherOptions {
  /**
   * Configs to try first, in order: the tuner passes one per affordable arm (model × prompt ×
   * stop), cheapest first, so the search starts where money goes furthest (cf. FLAML's CFO,
   * which starts from a low-cost point).
   */
  readonly initial?: readonly Config[];
  /** Rejects configs that are known not to be worth a trial (e.g. arms over the inference budget). */
  readonly accept?: (config: Config) => boolean;
  /** Share of suggestions drawn at random from the whole space (global exploration); default 0.3. */
  readonly globalShare?: number;
  /** Initial step size in the unit cube; default 0.2. */
  readonly sigma?: number;
  /** Draws per suggestion before giving up; default 60. */
  readonly maxAttempts?: number;
}

interface Known {
  point: Point;
  config: Config;
  parent: number | undefined;
  score: number | null;
  fidelity: number;
}

/**
 * The default searcher: cost-frugal local search with global restarts.
 *
 * 1. It first suggests the `initial` configs (cheap arms first).
 * 2. Then, most of the time, it moves locally around one of the three best trials so far: every
 *    active numeric dimension takes a Gaussian step in the unit cube, and now and then one
 *    categorical choice switches (another prompt, model, stop or temperature/top_p branch).
 * 3. Otherwise it samples the whole space, so no region is ruled out for good.
 *
 * The step size adapts like FLOW2's: it grows after a local move beats its parent and shrinks
 * after moves that do not. Deterministic: trial k draws from a stream forked from the seed by k,
 * so the same observations give the same suggestions.
 */
export class CostAwareSearcher implements Searcher {
  readonly #space: SearchSpace;
  readonly #rng: Rng;
  readonly #initial: Config[];
  readonly #accept: (c: Config) => boolean;
  readonly #globalShare: number;
  readonly #maxAttempts: number;
  readonly #seen = new Set<string>();
  readonly #known = new Map<number, Known>();
  readonly #suggested = new Map<number, TrialSuggestion>();
  /** The mirror image of the last numeric step taken from a parent, tried next from it (FLOW2's ±direction). */
  readonly #mirror = new Map<number, Point>();
  #sigma: number;

  constructor(space: SearchSpace, rng: Rng, options: CostAwareSearcherOptions = {}) {
    this.#space = space;
    this.#rng = rng.fork('cost-aware-searcher');
    this.#initial = [...(options.initial ?? [])];
    this.#accept = options.accept ?? (() => true);
    this.#globalShare = options.globalShare ?? 0.3;
    this.#sigma = options.sigma ?? 0.2;
    this.#maxAttempts = options.maxAttempts ?? 60;
  }

  /** Current local step size (for tests and reports). */
  get sigma(): number {
    return this.#sigma;
  }

  suggest(trialId: number): TrialSuggestion | null {
    const earlier = this.#suggested.get(trialId);
    if (earlier) return earlier;
    while (this.#initial.length > 0) {
      const config = this.#initial.shift() as Config;
      if (!this.#space.contains(config)) continue;
      const s = this.#take(trialId, this.#space.encode(config), undefined);
      if (s) return s;
    }
    const rng = this.#rng.fork(String(trialId));
    for (let attempt = 0; attempt < this.#maxAttempts; attempt++) {
      const leaders = this.#leaders();
      const local = leaders.length > 0 && rng.next() >= this.#globalShare;
      const parent = local ? this.#pickParent(leaders, rng) : undefined;
      let point: Point;
      if (parent === undefined) point = this.#space.samplePoint(rng);
      else {
        const mirrored = this.#mirror.get(parent);
        this.#mirror.delete(parent);
        point = mirrored ?? this.#move(parent, (this.#known.get(parent) as Known).point, rng);
      }
      const s = this.#take(trialId, point, parent);
      if (s) return s;
    }
    return null;
  }

  observe(obs: TrialObservation): void {
    const k = this.#known.get(obs.trialId);
    if (!k) return;
    const wasScored = k.score !== null;
    k.score = obs.score;
    k.fidelity = obs.fidelity;
    // adapt the step once per trial, on its first score
    if (wasScored || k.parent === undefined || obs.score === null) return;
    const parentScore = this.#known.get(k.parent)?.score;
    if (parentScore !== null && parentScore !== undefined && obs.score > parentScore) this.#sigma = Math.min(0.5, this.#sigma * 1.3);
    else this.#sigma = Math.max(0.02, this.#sigma * 0.85);
  }

  #take(trialId: number, point: Point, parent: number | undefined): TrialSuggestion | null {
    const config = this.#space.decode(point);
    const key = this.#space.key(config);
    if (this.#seen.has(key) || !this.#accept(config)) return null;
    this.#seen.add(key);
    const canonical = this.#space.encode(config);
    const suggestion: TrialSuggestion = Object.freeze({ trialId, config, point: canonical });
    this.#suggested.set(trialId, suggestion);
    this.#known.set(trialId, { point: canonical, config, parent, score: null, fidelity: 0 });
    return suggestion;
  }

  /** The best trials so far (by score, ties to the earlier trial). */
  #leaders(): number[] {
    return [...this.#known.entries()]
      .filter(([, k]) => k.score !== null)
      .sort((a, b) => (b[1].score as number) - (a[1].score as number) || a[0] - b[0])
      .slice(0, 3)
      .map(([id]) => id);
  }

  #pickParent(leaders: number[], rng: Rng): number {
    const weights = [0.55, 0.3, 0.15].slice(0, leaders.length);
    let u = rng.next() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < leaders.length; i++) {
      u -= weights[i] as number;
      if (u <= 0) return leaders[i] as number;
    }
    return leaders[0] as number;
  }

  #move(parent: number, from: Point, rng: Rng): Point {
    const choices = { ...from.choices };
    const unit = { ...from.unit };
    const mirror = { ...from.unit };
    const switchable = this.#space.activeDims(from).filter((d) => d.domain instanceof ChoiceDomain && d.domain.options.length > 1);
    const switched = switchable.length > 0 && rng.next() < 0.25;
    if (switched) {
      const dim = rng.pick(switchable);
      const options = (dim.domain as ChoiceDomain).options.length;
      const current = choices[dim.key] ?? 0;
      choices[dim.key] = (current + 1 + rng.int(0, options - 2)) % options;
    }
    for (const dim of this.#space.activeDims({ choices, unit })) {
      if (!isNumericDomain(dim.domain)) continue;
      const u = unit[dim.key];
      if (u === undefined) continue;
      const step = rng.normal() * this.#sigma;
      unit[dim.key] = reflect(u + step);
      mirror[dim.key] = reflect(u - step);
    }
    // A pure numeric step is tried in both directions (FLOW2): the opposite one comes next.
    if (!switched) this.#mirror.set(parent, this.#space.completePoint({ choices: from.choices, unit: mirror }, rng));
    return this.#space.completePoint({ choices, unit }, rng);
  }
}

/** Keep a coordinate in [0, 1] by reflecting at the walls. */
function reflect(u: number): number {
  let x = Math.abs(u) % 2;
  if (x > 1) x = 2 - x;
  return x;
}
