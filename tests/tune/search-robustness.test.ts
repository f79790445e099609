import { CostAwareSearcher } from '../../src/search/cost-aware-searcher.js';
import { parseSearchSpace } from '../../src/space/parse-space.js';
import { createRng } from '../../src/space/rng.js';
import { lookVariants } from '../../src/tune/look-variants.js';
import { typicalSampleTokens } from '../../src/tune/arms.js';
import { noWorse } from '../../src/tune/n-choice.js';
import { OverBudgetRegions } from '../../src/tune/over-budget-regions.js';
import { pickBest } from '../../src/tune/race.js';
import { nGrid } from '../../src/tune/n-choice.js';
import { TrialRecord } from '../../src/tune/trial-record.js';
import type { LiveTrial } from '../../src/tune/trial-state.js';

describe('the probe: a runaway answer does not set an arm\'s cost', () => {
  it('takes the median of the answers that ended by themselves', () => {
    // three answers of about 200 tokens and one that ran to max_tokens (2048, marked negative)
    expect(typicalSampleTokens([210, -2048, 190, 200])).toBe(200);
    expect(typicalSampleTokens([120, 180])).toBe(150);
  });

  it('counts the cut-off answers only when every answer was cut off', () => {
    expect(typicalSampleTokens([-300, -500])).toBe(400);
    expect(typicalSampleTokens([])).toBe(0);
  });
});

describe('affordability per config, not per arm', () => {
  const arm = { model: 'gpt-4o', prompt: 'p' };

  it('a config over the budget rules out those at least as hot and as long, in its arm only', () => {
    const regions = new OverBudgetRegions();
    regions.add({ ...arm, temperature: 1, max_tokens: 800 });
    expect(regions.covers({ ...arm, temperature: 1.2, max_tokens: 800 })).toBe(true);
    expect(regions.covers({ ...arm, temperature: 1, max_tokens: 1000 })).toBe(true);
    // cooler, or shorter: may fit, so it stays open
    expect(regions.covers({ ...arm, temperature: 0.3, max_tokens: 800 })).toBe(false);
    expect(regions.covers({ ...arm, temperature: 1.5, max_tokens: 200 })).toBe(false);
    // the other sampling branch is not bounded by a temperature
    expect(regions.covers({ ...arm, top_p: 1, max_tokens: 800 })).toBe(false);
    // a reasoning model's cap bounds the same way
    regions.add({ ...arm, model: 'o4-mini', max_completion_tokens: 4000 });
    expect(regions.covers({ ...arm, model: 'o4-mini', max_completion_tokens: 8000 })).toBe(true);
    expect(regions.covers({ ...arm, model: 'o4-mini', max_completion_tokens: 1000 })).toBe(false);
    // another arm is not touched
    expect(regions.covers({ ...arm, model: 'gpt-4o-mini', temperature: 1.5, max_tokens: 900 })).toBe(false);
  });
});

describe('ties go to the cheaper config', () => {
  it('noWorse: the same or better on the same rows; one row behind is worse', () => {
    const base = Array.from({ length: 60 }, (_, i) => (i % 4 === 0 ? 0 : 1));
    expect(noWorse([...base], base)).toBe(true);
    const oneBehind = base.map((x, i) => (i === 1 ? 0 : x));
    expect(noWorse(oneBehind, base)).toBe(false);
    // one row lost and another won: the same on the whole
    expect(noWorse(oneBehind.map((x, i) => (i === 0 ? 1 : x)), base)).toBe(true);
    expect(noWorse(base, oneBehind)).toBe(true);
  });

  /** A trial on 60 rows: `right(row, n)` says whether the vote of n samples was right. */
  function scored(id: number, costPerSample: number, nMax: number, right: (row: number, n: number) => boolean, chosenN: number, alike = false): LiveTrial {
    const record = new TrialRecord(nGrid(nMax), 'ok', 1);
    for (let r = 0; r < 60; r++) {
      record.set(r, { metrics: record.grid.map((n) => ({ ok: right(r, n) ? 1 : 0 })), cost: record.grid.map((n) => 0.0001 + n * costPerSample), cached: false, alike });
    }
    const index = record.grid.indexOf(chosenN);
    const mean = record.scoresAt(60, index).reduce((a, b) => a + b, 0) / 60;
    return {
      id,
      plan: { id, params: { model: `m${id}` }, nRequested: nMax, price: undefined, record },
      arm: undefined,
      config: { model: `m${id}` },
      rung: 3,
      scores: [mean, mean, mean, mean],
      state: 'complete',
      paid: 0,
      choice: { index, n: chosenN, mean, se: 0.05, lcb: mean - 0.05, costMean: 0.0001 + chosenN * costPerSample, feasible: true },
    };
  }
  const nOpts = { inferenceBudget: 0.01, totalRows: 60, pooledVariance: 0.2 };
  const SIZES = [6, 12, 24, 60];

  it('where the samples never differed, more of them cannot help: the pick takes the fewest', () => {
    // every sample of every row said the same (temperature 0): n = 8 was ranked first
    const t = scored(0, 0.0002, 8, (r) => r % 5 !== 0, 8, true);
    const pick = pickBest([t], SIZES, 'ok', 1, nOpts);
    expect(pick?.config.n).toBe(1);
    expect(pick?.inference_cost).toBeCloseTo(0.0003, 9);
    // the same scores from samples that did differ: more votes are steadier, they are kept
    expect(pickBest([scored(0, 0.0002, 8, (r) => r % 5 !== 0, 8, false)], SIZES, 'ok', 1, nOpts)?.config.n).toBe(8);
  });

  it('where more samples help, even by a row, they are kept', () => {
    const t = scored(0, 0.0002, 8, (r, n) => r < 52 + n, 8);
    const pick = pickBest([t], SIZES, 'ok', 1, nOpts);
    expect(pick?.config.n).toBe(8);
  });

  it('between trials that tie on the same rows, the cheaper one wins', () => {
    const dear = scored(0, 0.001, 4, (r) => r % 5 !== 0, 4);
    // one row lost, another won: no worse on the same rows
    const cheap = scored(1, 0.0001, 4, (r) => (r % 5 !== 0 && r !== 7) || r === 10, 4);
    const pick = pickBest([dear, cheap], SIZES, 'ok', 1, nOpts);
    expect(pick?.trial).toBe(1);
    // one row behind on the same rows: the dearer one is better, and stays the pick
    const behind = scored(2, 0.0001, 4, (r) => r % 5 !== 0 && r !== 7, 4);
    expect(pickBest([dear, behind], SIZES, 'ok', 1, nOpts)?.trial).toBe(0);
  });
});

describe('the first look around a leader reaches far along temperature and max_tokens', () => {
  const { space } = parseSearchSpace(
    { model: 'm', prompt: '{q}', temperature_or_top_p: [{ temperature: { uniform: [0, 2] } }, { top_p: { uniform: [0, 1] } }], max_tokens: { lograndint: [16, 1000] } },
    { defaults: false },
  );
  const arm = { key: 'k', values: {}, promptCost: 0, sampleCost: 0, typicalTokens: 200, maxSampleTokens: 260, truncated: false, texts: [], feasible: true };

  it('tries the same config near temperature 0, and with answers cut at half their typical length', () => {
    const vs = lookVariants(space, arm, { model: 'm', prompt: '{q}', temperature: 0.8, max_tokens: 650 });
    expect(vs).toEqual([
      { model: 'm', prompt: '{q}', temperature: 0.05, max_tokens: 650 },
      { model: 'm', prompt: '{q}', temperature: 0.8, max_tokens: 100 },
    ]);
  });

  it('nothing to add where the config is already there', () => {
    expect(lookVariants(space, arm, { model: 'm', prompt: '{q}', temperature: 0.05, max_tokens: 90 })).toEqual([]);
    // the top_p branch has no temperature; without a probe there is no typical length
    expect(lookVariants(space, undefined, { model: 'm', prompt: '{q}', top_p: 0.5, max_tokens: 650 })).toEqual([]);
  });

  it('the searcher puts them in the first look around the leader', () => {
    const searcher = new CostAwareSearcher(space, createRng(1), {
      initial: [{ model: 'm', prompt: '{q}', temperature: 0.8, max_tokens: 650 }],
      steady: ['max_tokens'],
      variants: (c) => lookVariants(space, arm, c),
    });
    searcher.suggest(0);
    searcher.observe({ trialId: 0, score: 0.9, cost: 0, fidelity: 0.1, status: 'complete' });
    const look = [1, 2, 3].map((id) => searcher.suggest(id)?.config);
    expect(look).toContainEqual({ model: 'm', prompt: '{q}', temperature: 0.05, max_tokens: 650 });
    expect(look).toContainEqual({ model: 'm', prompt: '{q}', temperature: 0.8, max_tokens: 100 });
  });
});

describe('look variants stay inside the space', () => {
  it('a short max_tokens below the range is not proposed, and a capped config is read as the searcher gave it', () => {
    const { space } = parseSearchSpace({ model: 'm', prompt: '{q}', temperature: { uniform: [0, 2] }, max_tokens: { lograndint: [50, 1000] } }, { defaults: false });
    const arm = { key: 'k', values: {}, promptCost: 0, sampleCost: 0, typicalTokens: 6, maxSampleTokens: 6, truncated: false, texts: [], feasible: true };
    // the probe caps what is sent to 16 tokens (2.5 × 6, at least 16), below the range: only the cool variant
    expect(lookVariants(space, arm, { model: 'm', prompt: '{q}', temperature: 0.8, max_tokens: 1000 })).toEqual([{ model: 'm', prompt: '{q}', temperature: 0.05, max_tokens: 1000 }]);
  });
});
