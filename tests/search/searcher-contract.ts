import type { Searcher, TrialObservation, TrialSuggestion } from '../../src/search/searcher.js';
import type { Config } from '../../src/space/types.js';
import { parseSearchSpace } from '../../src/space/parse-space.js';
import type { SearchSpace } from '../../src/space/search-space.js';

/** Builds the searcher under test over `space`, seeded with `seed`. */
export type MakeSearcher = (space: SearchSpace, seed: number) => Searcher;

/** Knobs for searchers that legitimately differ from random search. */
export interface ContractOptions {
  /** The searcher must return null once a 4-config discrete space is used up; default true. */
  readonly exhausts?: boolean;
  /** Trials to run in the long scenarios; default 40. */
  readonly trials?: number;
}

/** The brief's example space (with the default-free keys only). */
export function exampleSpace(): SearchSpace {
  return parseSearchSpace({
    model: ['gpt-3.5-turbo', 'gpt-4'],
    prompt: ['{problem} Answer with just the number.', '{problem} Think step by step.'],
    temperature_or_top_p: [{ temperature: { uniform: [0, 2] } }, { top_p: { uniform: [0, 1] } }],
    max_tokens: { lograndint: [50, 1000] },
    n: { randint: [1, 20] },
    stop: [null, '\n\n'],
  }).space;
}

/** A per-model (hierarchical) space with a constant, a q-domain and nested sub-spaces. */
export function hierarchicalSpace(): SearchSpace {
  return parseSearchSpace({
    model: [
      { model: 'gpt-4', n: { randint: [1, 3] }, temperature_or_top_p: [{ temperature: 0 }, { top_p: { quniform: [0.5, 1, 0.1] } }] },
      { model: 'gpt-3.5-turbo', n: { randint: [5, 20] }, temperature: { uniform: [0, 1] } },
    ],
    messages: [[{ role: 'user', content: '{q}' }], [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: '{q}' }]],
    max_tokens: { lograndint: [16, 512] },
  }).space;
}

/** Exactly four configs: 2 models x 2 stops, everything else constant. */
export function tinySpace(): SearchSpace {
  return parseSearchSpace({ model: ['a', 'b'], stop: [null, '###'], prompt: '{q}', n: 1, temperature: 0 }, { defaults: false }).space;
}

/** A deterministic made-up objective over a config (higher is better). */
export function objective(config: Config): number {
  let score = config['model'] === 'gpt-4' ? 0.5 : 0;
  for (const value of Object.values(config)) {
    if (typeof value === 'number') score -= Math.abs(Math.log1p(Math.abs(value)) - 1);
  }
  return score;
}

/** The observation the contract reports for a suggestion: some trials fail, some are pruned. */
export function observationFor(s: TrialSuggestion): TrialObservation {
  const n = typeof s.config['n'] === 'number' ? s.config['n'] : 1;
  const cost = 0.001 * n;
  if (s.trialId % 7 === 6) return { trialId: s.trialId, score: null, cost, fidelity: 0.1, status: 'failed' };
  if (s.trialId % 5 === 4) return { trialId: s.trialId, score: null, cost, fidelity: 0.2, status: 'pruned' };
  return { trialId: s.trialId, score: objective(s.config), cost, fidelity: 1, status: 'complete' };
}

/** Runs a suggest/observe loop and returns the suggestions (stopping at the first null). */
export function drive(searcher: Searcher, trials: number): TrialSuggestion[] {
  const out: TrialSuggestion[] = [];
  for (let id = 0; id < trials; id++) {
    const s = searcher.suggest(id);
    if (s === null) break;
    out.push(s);
    searcher.observe(observationFor(s));
  }
  return out;
}

/**
 * The contract every {@link Searcher} must meet: registers a `describe` block of jest tests.
 *
 * @example
 * ```ts
 * runSearcherContract('RandomSearcher', (space, seed) => new RandomSearcher(space, createRng(seed)));
 * ```
 */
export function runSearcherContract(name: string, makeSearcher: MakeSearcher, options: ContractOptions = {}): void {
  const { exhausts = true, trials = 40 } = options;

  describe(`${name} meets the Searcher contract`, () => {
    it.each([
      ['the example space', exampleSpace],
      ['a hierarchical space', hierarchicalSpace],
    ])('suggests configs inside %s, with points that decode to them', (_label, build) => {
      const space = build();
      const suggestions = drive(makeSearcher(space, 20), trials);
      expect(suggestions.length).toBeGreaterThan(0);
      suggestions.forEach((s, i) => {
        expect(s.trialId).toBe(i);
        expect(space.contains(s.config)).toBe(true);
        expect(space.key(space.decode(s.point))).toBe(space.key(s.config));
      });
    });

    it('is deterministic: same seed and same observations give the same sequence', () => {
      const space = exampleSpace();
      const run = (): string[] => drive(makeSearcher(space, 41), trials).map((s) => space.key(s.config));
      const first = run();
      expect(run()).toEqual(first);
    });

    it('allows several suggestions before any observation', () => {
      const space = exampleSpace();
      const searcher = makeSearcher(space, 3);
      const pending = [0, 1, 2, 3].map((id) => searcher.suggest(id));
      for (const s of pending) {
        expect(s).not.toBeNull();
        expect(space.contains(s!.config)).toBe(true);
      }
      for (const s of pending.reverse()) searcher.observe(observationFor(s!));
      const next = searcher.suggest(4);
      expect(next === null || space.contains(next.config)).toBe(true);
    });

    it(`${exhausts ? 'returns null when' : 'never throws once'} a small discrete space is used up`, () => {
      const space = tinySpace();
      const searcher = makeSearcher(space, 5);
      const keys = new Set<string>();
      let sawNull = false;
      for (let id = 0; id < 60; id++) {
        const s = searcher.suggest(id);
        if (s === null) {
          sawNull = true;
          continue;
        }
        expect(space.contains(s.config)).toBe(true);
        keys.add(space.key(s.config));
        searcher.observe(observationFor(s));
      }
      expect(keys.size).toBeLessThanOrEqual(4);
      if (exhausts) expect(sawNull).toBe(true);
    });

    it('ignores an observation of an unknown trial id, or rejects it naming the id', () => {
      const space = exampleSpace();
      const searcher = makeSearcher(space, 9);
      searcher.suggest(0);
      const unknown: TrialObservation = { trialId: 999, score: 1, cost: 0, fidelity: 1, status: 'complete' };
      let error: unknown;
      try {
        searcher.observe(unknown);
      } catch (err) {
        error = err;
      }
      if (error !== undefined) {
        expect(error).toBeInstanceOf(Error);
        expect((error as Error).message).toMatch(/999/);
      }
      const next = searcher.suggest(1);
      expect(next === null || space.contains(next.config)).toBe(true);
    });
  });
}
