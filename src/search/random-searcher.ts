import type { Rng } from '../space/rng.js';
import type { SearchSpace } from '../space/search-space.js';
import type { Searcher, TrialObservation, TrialSuggestion } from './searcher.js';

/** Options of {@link RandomSearcher}. */
export interface RandomSearcherOptions {
  /** Never suggest a config whose `space.key` was suggested before; default true. */
  readonly dedupe?: boolean;
  /** Draws per suggestion before giving up on finding a new config; default 100. */
  readonly maxAttempts?: number;
}

/**
 * The reference searcher: independent uniform samples of the space (cf. Optuna's
 * `RandomSampler`). It ignores observations.
 *
 * Each trial draws from `rng.fork('random-searcher').fork(String(trialId))`, so the config of
 * trial k depends only on the seed, k and (with dedupe) the configs suggested before it; the
 * caller's `rng` is never advanced. Asking for the same trial id twice returns the same
 * suggestion. With dedupe it returns `null` once every config of a finite space has been
 * suggested, or when `maxAttempts` draws in a row all repeat earlier configs.
 *
 * @example
 * ```ts
 * const searcher = new RandomSearcher(space, createRng(20));
 * const first = searcher.suggest(0); // { trialId: 0, config, point }
 * searcher.observe({ trialId: 0, score: 0.8, cost: 0.01, fidelity: 1, status: 'complete' });
 * ```
 */
export class RandomSearcher implements Searcher {
  readonly #space: SearchSpace;
  readonly #rng: Rng;
  readonly #dedupe: boolean;
  readonly #maxAttempts: number;
  readonly #cardinality: number;
  readonly #seen = new Set<string>();
  readonly #suggested = new Map<number, TrialSuggestion>();

  constructor(space: SearchSpace, rng: Rng, options: RandomSearcherOptions = {}) {
    const { dedupe = true, maxAttempts = 100 } = options;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
      throw new RangeError(`RandomSearcher: maxAttempts must be an integer >= 1, got ${maxAttempts}`);
    }
    this.#space = space;
    this.#rng = rng.fork('random-searcher');
    this.#dedupe = dedupe;
    this.#maxAttempts = maxAttempts;
    this.#cardinality = space.cardinality();
  }

  suggest(trialId: number): TrialSuggestion | null {
    const earlier = this.#suggested.get(trialId);
    if (earlier !== undefined) return earlier;
    if (this.#dedupe && this.#seen.size >= this.#cardinality) return null;
    const rng = this.#rng.fork(String(trialId));
    for (let attempt = 0; attempt < this.#maxAttempts; attempt++) {
      const point = this.#space.samplePoint(rng);
      const config = this.#space.decode(point);
      const key = this.#space.key(config);
      if (this.#dedupe && this.#seen.has(key)) continue;
      this.#seen.add(key);
      const suggestion: TrialSuggestion = Object.freeze({ trialId, config, point });
      this.#suggested.set(trialId, suggestion);
      return suggestion;
    }
    return null;
  }

  /** Random search learns nothing; observations of unknown trial ids are ignored too. */
  observe(_observation: TrialObservation): void {}
}
