import { RandomSearcher } from '../../src/search/random-searcher.js';
import { parseSearchSpace } from '../../src/space/parse-space.js';
import { createRng } from '../../src/space/rng.js';
import { drive, exampleSpace, runSearcherContract, tinySpace } from './searcher-contract.js';

runSearcherContract('RandomSearcher', (space, seed) => new RandomSearcher(space, createRng(seed)));
runSearcherContract('RandomSearcher without dedupe', (space, seed) => new RandomSearcher(space, createRng(seed), { dedupe: false }), {
  exhausts: false,
});

describe('RandomSearcher', () => {
  it('suggests distinct configs and returns null exactly when a finite space is used up', () => {
    const space = tinySpace();
    const searcher = new RandomSearcher(space, createRng(1));
    const got = [0, 1, 2, 3].map((id) => searcher.suggest(id));
    expect(new Set(got.map((s) => space.key(s!.config))).size).toBe(4);
    expect(searcher.suggest(4)).toBeNull();
    expect(searcher.suggest(5)).toBeNull();
  });

  it('gives up after maxAttempts repeats in a space too big to count', () => {
    // 1 continuous dim with a single canonical value in practice: [1, 1.00001] rounds to 1.
    const space = parseSearchSpace({ temperature: { uniform: [1, 1.00001] } }, { defaults: false }).space;
    expect(space.cardinality()).toBe(Infinity);
    const searcher = new RandomSearcher(space, createRng(1), { maxAttempts: 5 });
    expect(searcher.suggest(0)?.config).toEqual({ temperature: 1 });
    expect(searcher.suggest(1)).toBeNull();
  });

  it('repeats configs when dedupe is off', () => {
    const space = tinySpace();
    const searcher = new RandomSearcher(space, createRng(1), { dedupe: false });
    const keys = Array.from({ length: 12 }, (_, id) => space.key(searcher.suggest(id)!.config));
    expect(new Set(keys).size).toBeLessThan(keys.length);
  });

  it('depends on the seed', () => {
    const space = exampleSpace();
    const keys = (seed: number) => drive(new RandomSearcher(space, createRng(seed)), 5).map((s) => space.key(s.config));
    expect(keys(1)).not.toEqual(keys(2));
  });

  it("neither advances the caller's rng nor depends on its state", () => {
    const space = exampleSpace();
    const rng = createRng(8);
    const before = createRng(8).next();
    const a = new RandomSearcher(space, rng).suggest(0);
    expect(rng.next()).toBe(before);
    const b = new RandomSearcher(space, rng).suggest(0);
    expect(b).toEqual(a);
  });

  it('draws trial k from its own stream, so it does not depend on earlier trials (without dedupe)', () => {
    const space = exampleSpace();
    const full = new RandomSearcher(space, createRng(4), { dedupe: false });
    for (let id = 0; id < 5; id++) full.suggest(id);
    const direct = new RandomSearcher(space, createRng(4), { dedupe: false });
    expect(direct.suggest(5)).toEqual(full.suggest(5));
  });

  it('returns the same suggestion when asked twice for one trial id', () => {
    const searcher = new RandomSearcher(exampleSpace(), createRng(2));
    const first = searcher.suggest(0);
    expect(searcher.suggest(0)).toBe(first);
    expect(searcher.suggest(1)).not.toEqual(first);
  });

  it('validates maxAttempts', () => {
    expect(() => new RandomSearcher(tinySpace(), createRng(1), { maxAttempts: 0 })).toThrow(
      'RandomSearcher: maxAttempts must be an integer >= 1, got 0',
    );
  });
});
