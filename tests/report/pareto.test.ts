import { ConfigError } from '../../src/errors.js';
import { applyPickRule, describePickRule, paretoFront, parsePickRule } from '../../src/index.js';
import type { TrialSummary } from '../../src/index.js';

function trial(id: number, metric: number | null, cost: number | null, extra: Partial<TrialSummary> = {}): TrialSummary {
  return { trial: id, state: 'complete', config: { model: 'm', n: id + 1 }, n_requested: 5, rows: 60, total_rows: 60, metric, metrics: {}, lcb: metric, se: 0.02, inference_cost: cost, cost: 0, ...extra };
}

describe('paretoFront', () => {
  const trials = [
    trial(0, 0.5, 0.001), // front: cheapest
    trial(1, 0.7, 0.002), // front
    trial(2, 0.6, 0.003), // dominated by 1 (dearer and worse)
    trial(3, 0.9, 0.004), // front: best
    trial(4, 0.7, 0.002), // the same point as 1: both stay
    trial(5, 0.95, 0.01, { state: 'failed' }), // failed: left out whatever it scored
    trial(6, null, null, { state: 'budget_cut', rows: 0 }),
    trial(7, 0.9, 0.005), // dominated by 3 (same metric, dearer)
  ];

  it('keeps the trials no other beats on both metric and cost, cheapest first, with a 95% interval', () => {
    const front = paretoFront(trials, 'max');
    expect(front.map((p) => p.trial)).toEqual([0, 1, 4, 3]);
    expect(front[0]).toMatchObject({ metric: 0.5, inference_cost: 0.001, rows: 60, total_rows: 60, config: { model: 'm', n: 1 } });
    expect(front[0]?.ci?.low).toBeCloseTo(0.5 - 1.96 * 0.02, 3);
    expect(front[0]?.ci?.high).toBeCloseTo(0.5 + 1.96 * 0.02, 3);
  });

  it('for mode min, lower is better', () => {
    expect(paretoFront(trials, 'min').map((p) => p.trial)).toEqual([0]);
    const front = paretoFront([trial(0, 3, 0.001), trial(1, 2, 0.002), trial(2, 2.5, 0.003), trial(3, 1, 0.004)], 'min');
    expect(front.map((p) => p.trial)).toEqual([0, 1, 3]);
  });

  it('is empty when nothing was measured', () => {
    expect(paretoFront([trial(0, null, null, { state: 'budget_cut', rows: 0 })], 'max')).toEqual([]);
  });
});

describe('pick rules', () => {
  it('reads best and cheapest-within D, as two words or one', () => {
    expect(parsePickRule(['best'])).toEqual({ kind: 'best' });
    expect(parsePickRule(['cheapest-within', '0.01'])).toEqual({ kind: 'cheapest-within', tolerance: 0.01 });
    expect(parsePickRule('cheapest-within=0.02')).toEqual({ kind: 'cheapest-within', tolerance: 0.02 });
    expect(parsePickRule('cheapest-within:0')).toEqual({ kind: 'cheapest-within', tolerance: 0 });
    expect(describePickRule({ kind: 'cheapest-within', tolerance: 0.01 })).toBe('cheapest-within 0.01');
  });

  it('refuses what it cannot read, naming --pick and saying what to write', () => {
    for (const bad of [['cheapest'], ['cheapest-within'], ['cheapest-within', '-1'], ['cheapest-within', 'x'], ['cheapest-within', '0.01', 'tune.yaml'], ['best', '0.1']]) {
      let err: unknown;
      try {
        parsePickRule(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).field).toBe('--pick');
      expect((err as ConfigError).hint).toMatch(/cheapest-within 0\.01/);
    }
  });

  const best = trial(3, 0.9, 0.004);
  const trials = [trial(0, 0.5, 0.001), trial(1, 0.89, 0.002), trial(2, 0.895, 0.0015, { rows: 24 }), best, trial(5, 0.885, 0.0001, { state: 'failed' }), trial(6, 0.9, 0.003)];

  it('cheapest-within D: the cheapest trial on as many rows whose metric is within D of the pick', () => {
    expect(applyPickRule({ kind: 'cheapest-within', tolerance: 0.01 }, { best, trials, mode: 'max' }).trial).toBe(1);
    expect(applyPickRule({ kind: 'cheapest-within', tolerance: 0 }, { best, trials, mode: 'max' }).trial).toBe(6);
    expect(applyPickRule({ kind: 'cheapest-within', tolerance: 0.5 }, { best, trials, mode: 'max' }).trial).toBe(0);
    // over the inference budget: not a candidate
    expect(applyPickRule({ kind: 'cheapest-within', tolerance: 0.5 }, { best, trials, mode: 'max', inferenceBudget: 0.0005 }).trial).toBe(3);
    expect(applyPickRule({ kind: 'best' }, { best, trials, mode: 'max' })).toBe(best);
  });

  it('for mode min, within D above the pick', () => {
    const low = trial(3, 1.0, 0.004);
    const ts = [trial(0, 1.05, 0.001), trial(1, 0.95, 0.002), low];
    expect(applyPickRule({ kind: 'cheapest-within', tolerance: 0.1 }, { best: low, trials: ts, mode: 'min' }).trial).toBe(0);
    expect(applyPickRule({ kind: 'cheapest-within', tolerance: 0.01 }, { best: low, trials: ts, mode: 'min' }).trial).toBe(1);
  });
});
