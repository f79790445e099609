import { CostAwareSearcher } from '../../src/search/cost-aware-searcher.js';
import { createRng } from '../../src/space/rng.js';
import { drive, exampleSpace, objective, runSearcherContract } from './searcher-contract.js';

runSearcherContract('CostAwareSearcher', (space, seed) => new CostAwareSearcher(space, createRng(seed)));

describe('CostAwareSearcher', () => {
  it('suggests the initial configs first, in order, then moves around the best', () => {
    const space = exampleSpace();
    const rng = createRng(3);
    const initial = [space.sample(rng), space.sample(rng)];
    const searcher = new CostAwareSearcher(space, createRng(1), { initial, globalShare: 0 });
    expect(searcher.suggest(0)?.config).toEqual(initial[0]);
    expect(searcher.suggest(1)?.config).toEqual(initial[1]);
    searcher.observe({ trialId: 0, score: 0.9, cost: 0.01, fidelity: 1, status: 'complete' });
    searcher.observe({ trialId: 1, score: 0.1, cost: 0.01, fidelity: 1, status: 'complete' });
    // local moves stay near the leader: with a small step most keep its model and prompt
    const next = [2, 3, 4, 5, 6, 7, 8, 9].map((id) => searcher.suggest(id)?.config);
    const sameArm = next.filter((c) => c?.model === initial[0]?.model && c?.prompt === initial[0]?.prompt).length;
    expect(sameArm).toBeGreaterThanOrEqual(4);
  });

  it('never suggests a config the accept filter rejects', () => {
    const space = exampleSpace();
    const searcher = new CostAwareSearcher(space, createRng(2), { accept: (c) => c.model !== 'gpt-4' });
    const got = drive(searcher, 30);
    expect(got.length).toBe(30);
    expect(got.every((s) => s.config.model !== 'gpt-4')).toBe(true);
  });

  it('widens its step after improvements and narrows it after failures', () => {
    const space = exampleSpace();
    const searcher = new CostAwareSearcher(space, createRng(4), { globalShare: 0, sigma: 0.2 });
    const first = searcher.suggest(0);
    searcher.observe({ trialId: 0, score: 0.5, cost: 0, fidelity: 1, status: 'complete' });
    searcher.suggest(1);
    searcher.observe({ trialId: 1, score: 0.9, cost: 0, fidelity: 1, status: 'complete' });
    expect(searcher.sigma).toBeGreaterThan(0.2);
    const wide = searcher.sigma;
    for (let id = 2; id < 8; id++) {
      searcher.suggest(id);
      searcher.observe({ trialId: id, score: 0, cost: 0, fidelity: 1, status: 'complete' });
    }
    expect(searcher.sigma).toBeLessThan(wide);
    expect(first).not.toBeNull();
  });

  it('beats random search on a smooth objective with the same number of trials', () => {
    const space = exampleSpace();
    const best = (seed: number, local: boolean): number => {
      const s = new CostAwareSearcher(space, createRng(seed), { globalShare: local ? 0.3 : 1 });
      return Math.max(...drive(s, 40).map((t) => objective(t.config)));
    };
    const seeds = [1, 2, 3, 4, 5, 6];
    const mean = (local: boolean): number => seeds.reduce((a, s) => a + best(s, local), 0) / seeds.length;
    expect(mean(true)).toBeGreaterThan(mean(false));
  });
});
