import { BudgetLedger } from '../../src/budget/ledger.js';
import { chooseN, fitsBudget, nGrid, standardError, type NStats } from '../../src/tune/n-choice.js';
import { promotions, rungSizes } from '../../src/tune/rungs.js';
import { expectedFutureRows } from '../../src/tune/budget-plan.js';

const stat = (n: number, mean: number, costMean: number, rows = 60, variance = 0.1): NStats => ({ n, rows, mean, variance, costMean, costVariance: 1e-8 });

describe('choosing n after the fact', () => {
  it('picks the best lower confidence bound among the n within the inference budget', () => {
    const stats = [stat(1, 0.7, 0.0005), stat(3, 0.85, 0.0012), stat(5, 0.9, 0.0019), stat(8, 0.93, 0.003)];
    const pick = chooseN(stats, { inferenceBudget: 0.002, totalRows: 60, pooledVariance: 0.1 });
    expect(pick).toMatchObject({ n: 5, feasible: true, index: 2 });
    expect(pick.lcb).toBeCloseTo(0.9 - standardError(0.1, 60, 0.1), 12);
  });

  it('prefers the larger n on a tie, and reports infeasible when nothing fits', () => {
    const tie = chooseN([stat(2, 0.8, 0.001), stat(4, 0.8, 0.0015)], { inferenceBudget: 0.002, totalRows: 60, pooledVariance: 0.1 });
    expect(tie.n).toBe(4);
    const none = chooseN([stat(1, 0.9, 0.003), stat(2, 0.95, 0.005)], { inferenceBudget: 0.002, totalRows: 60, pooledVariance: 0.1 });
    expect(none).toMatchObject({ feasible: false, index: -1, n: 1 });
  });

  it('adds a margin for the cost seen on part of the data only', () => {
    const s = { ...stat(3, 0.9, 0.0019, 6), costVariance: 0.0000001 };
    expect(fitsBudget(s, { inferenceBudget: 0.002, totalRows: 60, pooledVariance: 0.1 })).toBe(false);
    expect(fitsBudget({ ...s, rows: 60 }, { inferenceBudget: 0.002, totalRows: 60, pooledVariance: 0.1 })).toBe(true);
  });

  it('keeps tiny perfect samples honest: zero variance on 6 rows still has an error bar', () => {
    expect(standardError(0, 6, 0.2)).toBeGreaterThan(0.05);
    expect(standardError(0, 60, 0.2)).toBeLessThan(standardError(0, 6, 0.2));
  });

  it('scores every n up to 8, then a ladder, always including the largest', () => {
    expect(nGrid(5)).toEqual([1, 2, 3, 4, 5]);
    expect(nGrid(20, 1)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 20]);
    expect(nGrid(13, 3)).toEqual([3, 4, 5, 6, 7, 8, 10, 12, 13]);
  });
});

describe('racing over rows', () => {
  it('starts with a handful of rows and doubles up to the whole data', () => {
    expect(rungSizes(60)).toEqual([6, 12, 24, 60]);
    expect(rungSizes(20)).toEqual([4, 8, 20]);
    expect(rungSizes(3)).toEqual([3]);
    expect(rungSizes(1000, 10)).toEqual([10, 20, 40, 80, 160, 320, 640, 1000]);
  });

  it('promotes the top half of each rung that has not moved up yet', () => {
    const entries = [
      { id: 0, rung: 0, scores: [0.9], active: true },
      { id: 1, rung: 0, scores: [0.5], active: true },
      { id: 2, rung: 1, scores: [0.95, 0.8], active: true },
      { id: 3, rung: 0, scores: [-Infinity], active: false },
    ];
    expect(promotions(entries, 3)).toEqual([
      { id: 0, to: 1 },
      { id: 2, to: 2 },
    ]);
  });

  it('expects a new trial to cost its first rung plus its share of promotions', () => {
    expect(expectedFutureRows([6, 12, 24, 60], -1)).toBeCloseTo(6 + 6 / 2 + 12 / 4 + 36 / 8, 12);
    expect(expectedFutureRows([6, 12, 24, 60], 2)).toBeCloseTo(36 / 2, 12);
    expect(expectedFutureRows([6, 12, 24, 60], 3)).toBe(0);
  });
});

describe('BudgetLedger', () => {
  it('reserves worst cases, commits actual costs and refuses what cannot fit', async () => {
    const ledger = new BudgetLedger(1);
    const a = await ledger.reserve(0.6);
    expect(a).not.toBeNull();
    expect(ledger.tryReserve(0.6)).toBeNull();
    a?.commit(0.1);
    expect(ledger.spent).toBeCloseTo(0.1, 12);
    expect(ledger.remaining).toBeCloseTo(0.9, 12);
    expect(await ledger.reserve(0.95)).toBeNull();
    expect(ledger.refusals).toBe(1);
  });

  it('waits for in-flight requests to settle before refusing', async () => {
    const ledger = new BudgetLedger(1);
    const held = await ledger.reserve(0.8);
    const waiting = ledger.reserve(0.5);
    held?.commit(0.2);
    const got = await waiting;
    expect(got).not.toBeNull();
    got?.release();
    expect(ledger.spent).toBeCloseTo(0.2, 12);
    expect(ledger.reserved).toBe(0);
  });

  it('counts what an earlier run spent', () => {
    const ledger = new BudgetLedger(1, { carried: 0.7 });
    expect(ledger.remaining).toBeCloseTo(0.3, 12);
    expect(ledger.spentNow).toBe(0);
    expect(ledger.tryReserve(0.4)).toBeNull();
  });

  it('keeps its books in the storage it is given, before each request is sent', () => {
    const saved: Array<{ spent: number; reserved: number }> = [];
    const ledger = new BudgetLedger(1, { storage: { save: (s) => saved.push(s) } });
    const r = ledger.tryReserve(0.3);
    expect(saved).toEqual([{ spent: 0, reserved: 0.3 }]);
    r?.commit(0.1);
    expect(saved.at(-1)).toEqual({ spent: 0.1, reserved: 0 });
  });

  it('without a budget refuses nothing and still counts, and plans at list price', () => {
    const ledger = new BudgetLedger(Number.POSITIVE_INFINITY);
    ledger.tryReserve(1e6)?.commit(2);
    ledger.plan(3);
    expect([ledger.spent, ledger.planned, ledger.planLeft]).toEqual([2, 3, Number.POSITIVE_INFINITY]);
  });
});
