import { trimRequest } from '../../src/tune/plan-trial.js';
import { liveTrial as trial } from './tune-helpers.js';

describe('trimming a request to the samples a trial can use', () => {
  it('drops the n that are over the budget beyond noise, and keeps the rows aligned with the grid', () => {
    // n samples cost 0.0001 + n × 0.00027: n = 7 costs 0.00199, n = 8 costs 0.00226
    const t = trial(0, { rung: 0, score: 0.9, nRequested: 12 });
    const before = t.plan.record.stats(6).slice(0, 7);
    trimRequest(t, 6, 0.002, 1);
    expect(t.plan.nRequested).toBe(7);
    expect(t.plan.record.grid).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(t.plan.record.stats(6)).toEqual(before);
  });

  it('keeps an n whose cost may still fit once the spread of the rows is counted', () => {
    // on average n = 8 is over the budget, but the rows' costs vary too much to tell yet
    const t = trial(0, { rung: 0, score: 0.9, nRequested: 8, jitter: (r) => (r % 2 === 0 ? 0.0012 : -0.0012) });
    trimRequest(t, 6, 0.002, 1);
    expect(t.plan.nRequested).toBe(8);
  });

  it('with a slack, keeps the samples within it', () => {
    const t = trial(0, { rung: 0, score: 0.9, nRequested: 12 });
    trimRequest(t, 6, 0.002, 1.15); // 0.0023: n = 8 stays
    expect(t.plan.nRequested).toBe(8);
  });

  it('leaves a trial alone without an inference budget, or when nothing fits at all', () => {
    const a = trial(0, { rung: 0, score: 0.9, nRequested: 12 });
    trimRequest(a, 6, undefined, 1);
    expect(a.plan.nRequested).toBe(12);
    const b = trial(1, { rung: 0, score: 0.9, nRequested: 12, prompt: 0.01 });
    trimRequest(b, 6, 0.002, 1);
    expect(b.plan.nRequested).toBe(12);
  });
});
