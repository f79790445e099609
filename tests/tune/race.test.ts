import { affordableMoves, finalStepReserve } from '../../src/tune/budget-plan.js';
import { chooseMoves, type MoveContext } from '../../src/tune/race.js';
import { promotions } from '../../src/tune/rungs.js';
import type { LiveTrial } from '../../src/tune/trial-state.js';
import { liveTrial as trial, SIZES } from './tune-helpers.js';

describe('the first seat on the whole data is contested', () => {
  const entry = (id: number, rung: number, score: number, active = true, tiebreak?: number) => ({ id, rung, scores: Array.from({ length: rung + 1 }, () => score), active, ...(tiebreak === undefined ? {} : { tiebreak }) });

  it('a trial alone at the last-but-one rung waits for a rival', () => {
    const entries = [entry(0, 2, 0.9), entry(1, 1, 0.8), entry(2, 1, 0.7)];
    expect(promotions(entries, 3, { contested: true })).toEqual([{ id: 1, to: 2 }]);
    // without the contest (the original rule) it takes the whole data at once
    expect(promotions(entries, 3)).toEqual([
      { id: 1, to: 2 },
      { id: 0, to: 3 },
    ]);
  });

  it('with a rival there, the better of the two goes on', () => {
    const entries = [entry(0, 2, 0.8), entry(1, 2, 0.9)];
    expect(promotions(entries, 3, { contested: true })).toEqual([{ id: 1, to: 3 }]);
  });

  it('once a trial has the whole data, the rung is an ordinary one again', () => {
    const entries = [entry(0, 3, 0.9, false), entry(1, 2, 0.8)];
    expect(promotions(entries, 3, { contested: true })).toEqual([]);
    const more = [entry(0, 3, 0.9, false), entry(1, 2, 0.8), entry(2, 2, 0.7)];
    expect(promotions(more, 3, { contested: true })).toEqual([{ id: 1, to: 3 }]);
  });

  it('breaks ties by the tiebreak, not by age', () => {
    const entries = [entry(0, 0, 0.9, true, 0.8), entry(1, 0, 0.9, true, 0.1), entry(2, 0, 0.5, true, 0.0), entry(3, 0, 0.4, true, 0.5)];
    expect(promotions(entries, 3)).toEqual([
      { id: 1, to: 1 },
      { id: 0, to: 1 },
    ]);
    expect(promotions(entries.map((e) => ({ ...e, tiebreak: undefined })), 3)).toEqual([
      { id: 0, to: 1 },
      { id: 1, to: 1 },
    ]);
  });
});

describe('keeping money for the whole-data measurements', () => {
  it('holds promotions on the lower rungs back so that two trials can still take the whole data', () => {
    const lead = trial(0, { rung: 1, score: 0.95 });
    const next = trial(1, { rung: 1, score: 0.9 });
    const low = [trial(2, { rung: 0, score: 0.9 }), trial(3, { rung: 0, score: 0.85 })];
    const moves = [lead, next, ...low].map((t) => ({ trial: t, to: t.rung + 1 }));
    const step = finalStepReserve([lead, next, ...low], SIZES, 0.002, 0.002);
    expect(step).toBeCloseTo(36 * 0.00199 * 1.1, 6);
    // 0.2 pays for everything, but then not for two final steps: the lower rung waits
    const reserve = { step, steps: 2, exempt: new Set([lead, next]) };
    expect(affordableMoves(moves, SIZES, 0.2, 0.002, reserve).map((m) => m.trial.id)).toEqual([0, 1]);
    expect(affordableMoves(moves, SIZES, 0.2, 0.002).map((m) => m.trial.id)).toEqual([0, 1, 2, 3]);
    // with money for more, they go too
    expect(affordableMoves(moves, SIZES, 0.4, 0.002, reserve).map((m) => m.trial.id)).toEqual([0, 1, 2, 3]);
    // the reserve holds only the final steps the money can still pay for: here one (0.079), and
    // above it there is room for one promotion to 24 rows (0.026) and one to 12 (0.013)
    expect(affordableMoves(moves, SIZES, 0.12, 0.002, { ...reserve, exempt: new Set() }).map((m) => m.trial.id)).toEqual([0, 2]);
  });
});

describe('the endgame', () => {
  const context = (trials: LiveTrial[], planLeft: number): MoveContext => ({ trials, sizes: SIZES, inferenceBudget: 0.002, planLeft, fallbackRowCost: 0.002, tiebreak: (t) => t.id });

  it('moves one trial, the most advanced that the money can still finish', () => {
    const deep = trial(0, { rung: 2, score: 0.9 });
    const shallow = [trial(1, { rung: 1, score: 0.95 }), trial(2, { rung: 1, score: 0.9 })];
    // 0.1 finishes the trial at 24 rows (36 more) but not one at 12 (48 more)
    expect(chooseMoves(context([deep, ...shallow], 0.1), true).moves.map((m) => [m.trial.id, m.to])).toEqual([[0, 3]]);
    expect(chooseMoves(context([deep, ...shallow], 0.05), true).moves).toEqual([]);
  });

  it('outside the endgame, a lone trial at the last-but-one rung waits for a rival', () => {
    const deep = trial(0, { rung: 2, score: 0.9 });
    expect(chooseMoves(context([deep], 1), false).moves).toEqual([]);
    expect(chooseMoves(context([deep], 1), true).moves.map((m) => m.to)).toEqual([3]);
  });
});

describe('once a trial is on the whole data', () => {
  const context = (trials: LiveTrial[], planLeft: number): MoveContext => ({ trials, sizes: SIZES, inferenceBudget: 0.002, planLeft, fallbackRowCost: 0.002, tiebreak: (t) => t.id });
  const champion = (): LiveTrial => {
    const t = trial(0, { rung: 3, score: 0.88, right: (r) => r % 6 !== 0 });
    t.state = 'complete';
    return t;
  };

  it('a challenger behind it on the same rows does not get the whole data', () => {
    // on the first 24 rows the champion misses 4; the challenger misses those and 4 more
    const behind = trial(1, { rung: 2, score: 0.8, right: (r) => r % 6 !== 0 && r % 6 !== 1 });
    const low = trial(2, { rung: 2, score: 0.5, right: () => false });
    expect(chooseMoves(context([champion(), behind, low], 1), false).moves).toEqual([]);
    expect(behind.state).toBe('pruned');
    // one row behind is enough: the whole data goes to challengers at least level with it
    const justBehind = trial(1, { rung: 2, score: 0.8, right: (r) => r % 6 !== 0 && r !== 1 });
    expect(chooseMoves(context([champion(), justBehind, low], 1), false).moves).toEqual([]);
    // level with it on those rows, the same challenger goes on
    const level = trial(1, { rung: 2, score: 0.8, right: (r) => r % 6 !== 0 });
    expect(chooseMoves(context([champion(), level, low], 1), false).moves.map((m) => [m.trial.id, m.to])).toEqual([[1, 3]]);
    expect(behind.message).toMatch(/behind trial #0/);
  });

  it('the endgame finishes the challenger level with it on the same rows, not the most advanced one', () => {
    const behind = trial(1, { rung: 2, score: 0.75, right: (r) => r % 6 !== 0 && r % 12 !== 1 });
    const level = trial(2, { rung: 0, score: 0.6, right: (r) => r % 6 !== 0 });
    const moves = chooseMoves(context([champion(), behind, level], 0.2), true).moves;
    expect(moves.map((m) => [m.trial.id, m.to])).toEqual([[2, 1]]);
    // without a trial on the whole data, the most advanced one goes first, as before
    const again = [trial(0, { rung: 2, score: 0.75, right: (r) => r % 6 !== 0 && r % 12 !== 1 }), trial(1, { rung: 0, score: 0.6, right: (r) => r % 6 !== 0 })];
    expect(chooseMoves(context(again, 0.2), true).moves.map((m) => m.trial.id)).toEqual([0]);
  });
});
