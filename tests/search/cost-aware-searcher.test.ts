import { CostAwareSearcher } from '../../src/search/cost-aware-searcher.js';
import { createRng } from '../../src/space/rng.js';
import { parseSearchSpace } from '../../src/space/parse-space.js';
import type { Config } from '../../src/space/types.js';
import { drive, exampleSpace, hierarchicalSpace, objective, runSearcherContract } from './searcher-contract.js';

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

describe('CostAwareSearcher: looks around the leading regions', () => {
  const cot = '{problem} Think step by step.';
  const direct = '{problem} Answer with just the number.';
  // two arms, each at the middle of its ranges (temperature 1 is the middle of [0, 2])
  const arm = (model: string, prompt: string) => ({ model, prompt, temperature: 1, max_tokens: 1000, n: 10, stop: null });

  function ranked(opts: { steady?: string[]; identity?: (c: Config) => string } = {}): CostAwareSearcher {
    const space = exampleSpace();
    const searcher = new CostAwareSearcher(space, createRng(5), { initial: [arm('gpt-3.5-turbo', cot), arm('gpt-4', direct)], ...opts });
    searcher.suggest(0);
    searcher.suggest(1);
    searcher.observe({ trialId: 0, score: 0.9, cost: 0.01, fidelity: 0.1, status: 'complete' });
    searcher.observe({ trialId: 1, score: 0.7, cost: 0.01, fidelity: 0.1, status: 'complete' });
    return searcher;
  }

  it('first tries the leader’s other branches, with its numbers left as they are', () => {
    const searcher = ranked({ steady: ['max_tokens'] });
    const look = [2, 3, 4, 5, 6, 7].map((id) => searcher.suggest(id)?.config);
    const leader = arm('gpt-3.5-turbo', cot);
    const differsOnlyIn = (c: Config | undefined, keys: string[]) => Object.keys(leader).every((k) => keys.includes(k) || c?.[k] === (leader as Config)[k]);
    // the leader's top_p branch, at the middle of its range
    const topP = look.findIndex((c) => c?.top_p === 0.5 && c.temperature === undefined && differsOnlyIn(c, ['temperature', 'top_p']));
    expect(topP).toBeGreaterThanOrEqual(0);
    // no step along the leader's numbers before its first results are in: temperature and n stay
    const leaders = look.filter((c) => c?.model === 'gpt-3.5-turbo' && c.prompt === cot);
    expect(leaders.filter((c) => c?.temperature !== undefined && c.temperature !== 1)).toEqual([]);
    expect(leaders.filter((c) => c?.n !== 10)).toEqual([]);
    // max_tokens (steady) never moves
    expect(look.every((c) => c?.max_tokens === 1000)).toBe(true);
    // the runner-up's look (gpt-4 with the direct prompt) follows the leader's
    const runnerUp = look.findIndex((c) => c?.model === 'gpt-4' && c.prompt === direct);
    expect(runnerUp).toBeGreaterThan(topP);
  });

  it('once a region’s trials are scored, steps an eighth of the range from its best, then a sixteenth', () => {
    const { space } = parseSearchSpace(
      { model: 'gpt-3.5-turbo', prompt: '{q}', temperature_or_top_p: [{ temperature: { uniform: [0, 2] } }, { top_p: { uniform: [0, 1] } }], max_tokens: { lograndint: [50, 1000] } },
      { defaults: false },
    );
    const searcher = new CostAwareSearcher(space, createRng(5), { initial: [{ model: 'gpt-3.5-turbo', prompt: '{q}', temperature: 1, max_tokens: 1000 }], steady: ['max_tokens'] });
    searcher.suggest(0);
    searcher.observe({ trialId: 0, score: 0.9, cost: 0, fidelity: 0.1, status: 'complete' });
    // the first look: the top_p branch
    const first = searcher.suggest(1);
    expect(first?.config.top_p).toBe(0.5);
    // no steps before every trial of the region has been scored
    expect(searcher.suggest(2)?.config.temperature).not.toBe(0.75);
    // then an eighth of the range each way from the region's best: temperature 0.75 and 1.25
    searcher.observe({ trialId: 1, score: 0.8, cost: 0, fidelity: 0.1, status: 'complete' });
    searcher.observe({ trialId: 2, score: 0.1, cost: 0, fidelity: 0.1, status: 'complete' });
    const second = [3, 4].map((id) => searcher.suggest(id));
    expect(second.map((s) => s?.config.temperature)).toEqual([0.75, 1.25]);
    // temperature 0.75 is the best of the region now: the next look steps a sixteenth from it
    second.forEach((s, i) => searcher.observe({ trialId: s?.trialId as number, score: [0.95, 0.2][i] as number, cost: 0, fidelity: 0.1, status: 'complete' }));
    expect([5, 6].map((id) => searcher.suggest(id)?.config.temperature)).toEqual([0.625, 0.875]);
  });

  it('suggests a config once per identity', () => {
    const searcher = ranked({ identity: (c) => JSON.stringify({ ...c, max_tokens: 0 }) });
    const got = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13].map((id) => searcher.suggest(id)?.config);
    const keys = got.map((c) => JSON.stringify({ ...c, max_tokens: 0 }));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('in a hierarchical space, a branch that opens nested choices still gives valid configs', () => {
    const space = hierarchicalSpace();
    const rng = createRng(8);
    const initial = [space.sample(rng), space.sample(rng)];
    const searcher = new CostAwareSearcher(space, createRng(9), { initial });
    const got = drive(searcher, 30);
    expect(got.length).toBe(30);
    for (const s of got) expect(space.contains(s.config)).toBe(true);
  });
});
