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
  /**
   * The identity of what a config actually asks for; configs with the same identity are
   * duplicates (e.g. two max_tokens that both exceed the longest answer). Default: `space.key`.
   */
  readonly identity?: (config: Config) => string;
  /**
   * Request keys the coarse look around a leader leaves as they are (the tuner names max_tokens:
   * above the answers' length it changes nothing, below it cuts answers short).
   */
  readonly steady?: readonly string[];
  /** Configs far from a leading one that its first look tries too (the tuner's: near-zero temperature, short answers). */
  readonly variants?: (config: Config) => readonly Config[];
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
  observed: boolean;
}

/** A region's looks: the step of the latest and the points still to suggest. */
interface Poll {
  step: number;
  queue: Array<{ point: Point; parent: number }>;
}

/**
 * Scale of the first look around a leading region, in the unit cube. The first look tries the
 * region's other options (the farthest moves); each later look steps half as far along its
 * numbers: an eighth of the range, then a sixteenth.
 */
const FIRST_STEP = 0.25;
/** The finest step a look takes. */
const LAST_STEP = FIRST_STEP / 4;

/**
 * The default searcher: cost-frugal local search with global restarts.
 *
 * 1. It first suggests the `initial` configs (cheap arms first).
 * 2. Once they are ranked, it looks around the two leading regions (a region: an initial config
 *    and the trials descended from it), the leader's first. The first look tries the other
 *    options of each choice (another temperature/top_p branch; another prompt or model when the leader is not
 *    at the middle of its arm). When a region's trials have all been scored, the next look
 *    steps an eighth of the range each way along every numeric dimension from its best trial,
 *    one at a time, and the one after that a sixteenth (a pattern search). A runner-up that
 *    falls out of the top two is left alone.
 * 3. With no look pending, most of the time it moves locally around one of the three best trials
 *    so far: every active numeric dimension takes a Gaussian step in the unit cube, and now and
 *    then one categorical choice switches.
 * 4. Otherwise it samples the whole space, so no region is ruled out for good.
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
  readonly #identity: (c: Config) => string;
  readonly #steady: ReadonlySet<string>;
  readonly #variants: (config: Config) => readonly Config[];
  readonly #globalShare: number;
  readonly #maxAttempts: number;
  readonly #seen = new Set<string>();
  readonly #known = new Map<number, Known>();
  readonly #suggested = new Map<number, TrialSuggestion>();
  /** The mirror image of the last numeric step taken from a parent, tried next from it (FLOW2's ±direction). */
  readonly #mirror = new Map<number, Point>();
  /** Per region (lineage root): the step of its latest look and the points still to suggest. */
  readonly #polls = new Map<number, Poll>();
  /** Trials of the initial configs: the regions that get looks. */
  readonly #starts = new Set<number>();
  #sigma: number;

  constructor(space: SearchSpace, rng: Rng, options: CostAwareSearcherOptions = {}) {
    this.#space = space;
    this.#rng = rng.fork('cost-aware-searcher');
    this.#initial = [...(options.initial ?? [])];
    this.#accept = options.accept ?? (() => true);
    this.#identity = options.identity ?? ((c) => space.key(c));
    this.#steady = new Set(options.steady ?? []);
    this.#variants = options.variants ?? (() => []);
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
      if (s) {
        this.#starts.add(trialId);
        return s;
      }
    }
    for (let next = this.#nextPoll(); next; next = this.#nextPoll()) {
      const s = this.#take(trialId, next.point, next.parent);
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
    k.observed = true;
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
    const key = this.#identity(config);
    if (this.#seen.has(key) || !this.#accept(config)) return null;
    this.#seen.add(key);
    const canonical = this.#space.encode(config);
    const suggestion: TrialSuggestion = Object.freeze({ trialId, config, point: canonical });
    this.#suggested.set(trialId, suggestion);
    this.#known.set(trialId, { point: canonical, config, parent, score: null, fidelity: 0, observed: false });
    return suggestion;
  }

  /**
   * The next point of a look around one of the two leading regions (a region is the lineage of
   * an initial config; without initial configs there are no looks): the leader's first, then the
   * runner-up's while it is still
   * second (on a few rows the runner-up often trails the leader only by noise). A region's first
   * look tries the other options of its choices; once every trial of the region has been scored,
   * the next look steps an eighth of the range each way from the region's best by then, and the
   * one after that a sixteenth (a pattern search).
   *
   * Why the options first, and no quarter-range steps: the first look used to step a quarter
   * each way too (temperature 0.5 and 1.5 from 1), and on a budget that pays for a dozen trials
   * those steps took the money the other sampling branch (top_p) needed to be measured on all
   * rows, while the far steps rarely won (in the bundled example a quarter step down scores
   * below the middle and the top_p branch, and a quarter step up makes the votes near random).
   * The finer steps come once the region's first results are in, from its best by then.
   */
  #nextPoll(): { point: Point; parent: number } | undefined {
    const best = new Map<number, number>();
    for (const id of this.#ranked()) {
      const root = this.#rootOf(id);
      if (!this.#starts.has(root)) continue;
      if (!best.has(root)) best.set(root, id);
      if (best.size === 2) break;
    }
    for (const [root, id] of best) if (!this.#polls.has(root)) this.#polls.set(root, { step: FIRST_STEP, queue: this.#otherOptions(id) });
    // the coarsest pending look of the two goes first (ties: the leader's)
    const open = [...best]
      .map(([root, id]) => ({ root, id, poll: this.#polls.get(root) as Poll }))
      .sort((a, b) => b.poll.step - a.poll.step);
    for (const { poll } of open) if (poll.queue.length > 0) return poll.queue.shift();
    for (const { root, id, poll } of open) {
      if (poll.step / 2 < LAST_STEP || !this.#settled(root)) continue;
      poll.step /= 2;
      poll.queue = this.#steps(id, poll.step);
      if (poll.queue.length > 0) return poll.queue.shift();
    }
    return undefined;
  }

  /** Every trial of the region has been observed at least once. */
  #settled(root: number): boolean {
    for (const [id, k] of this.#known) if (!k.observed && this.#rootOf(id) === root) return false;
    return true;
  }

  /** The trial a local move descends from: an initial or global config. */
  #rootOf(id: number): number {
    let cur = id;
    for (let p = this.#known.get(cur)?.parent; p !== undefined; p = this.#known.get(cur)?.parent) cur = p;
    return cur;
  }

  /** Scored trials, best first (ties to the earlier trial). */
  #ranked(): number[] {
    return [...this.#known.entries()]
      .filter(([, k]) => k.score !== null)
      .sort((a, b) => (b[1].score as number) - (a[1].score as number) || a[0] - b[0])
      .map(([id]) => id);
  }

  /** The three best trials so far. */
  #leaders(): number[] {
    return this.#ranked().slice(0, 3);
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

  /** A look around a trial: `step` each way along every numeric dimension (but the steady ones), one at a time. */
  #steps(parent: number, step: number): Array<{ point: Point; parent: number }> {
    const from = (this.#known.get(parent) as Known).point;
    const out: Array<{ point: Point; parent: number }> = [];
    for (const dim of this.#space.numericDims(from)) {
      const u = from.unit[dim.key];
      if (u === undefined || this.#steady.has(dim.name)) continue;
      // at a wall both steps reflect to the same place: one of them is enough
      const targets = [reflect(u - step), reflect(u + step)].filter((x, i, all) => i === 0 || Math.abs(x - (all[0] as number)) > 1e-9);
      for (const x of targets) out.push({ point: { choices: from.choices, unit: { ...from.unit, [dim.key]: x } }, parent });
    }
    return out;
  }

  /** A look around a trial: every other option of every choice (newly active numbers at the middle of their range), and its variants. */
  #otherOptions(parent: number): Array<{ point: Point; parent: number }> {
    const from = (this.#known.get(parent) as Known).point;
    const middle = Object.fromEntries(this.#space.dimensions.filter((d) => isNumericDomain(d.domain)).map((d) => [d.key, 0.5]));
    const out: Array<{ point: Point; parent: number }> = [];
    // a choice may open nested choices; those are drawn from a stream of their own
    const rng = this.#rng.fork(`look-${parent}`);
    for (const dim of this.#space.activeDims(from)) {
      if (!(dim.domain instanceof ChoiceDomain)) continue;
      for (let o = 0; o < dim.domain.options.length; o++) {
        if (o === from.choices[dim.key]) continue;
        out.push({ point: this.#space.completePoint({ choices: { ...from.choices, [dim.key]: o }, unit: { ...middle, ...from.unit } }, rng), parent });
      }
    }
    for (const v of this.#variants((this.#known.get(parent) as Known).config)) if (this.#space.contains(v)) out.push({ point: this.#space.encode(v), parent });
    return out;
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
