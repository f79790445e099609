import { armKey } from '../../src/tune/arms.js';
import { FAILED_TRIALS_IN_A_ROW, FailureWatch } from '../../src/tune/failure-watch.js';
import type { LiveTrial } from '../../src/tune/trial-state.js';
import { liveTrial } from './tune-helpers.js';

const trial = (id: number, model: string, state: 'failed' | 'running'): LiveTrial => {
  const t = liveTrial(id, { rung: state === 'failed' ? -1 : 0, score: 0.5 });
  t.config = { model, prompt: 'p' };
  t.state = state;
  if (state === 'failed') t.message = `row 1: every endpoint in config_list failed: config 0 (x): bad_request 400: no (${id})`;
  return t;
};

describe('FailureWatch', () => {
  const arms = [armKey({ model: 'a', prompt: 'p' }), armKey({ model: 'b', prompt: 'p' })];

  it(`stops after ${FAILED_TRIALS_IN_A_ROW} failed trials in a row, naming the last failure`, () => {
    const w = new FailureWatch();
    w.observe(trial(0, 'a', 'running'));
    for (let i = 1; i < FAILED_TRIALS_IN_A_ROW; i++) {
      w.observe(trial(i, 'a', 'failed'));
      expect(w.verdict(arms)).toBeUndefined();
    }
    w.observe(trial(9, 'a', 'failed'));
    expect(w.verdict(arms)).toBe(`the last ${FAILED_TRIALS_IN_A_ROW} trials failed; the last one: row 1: every endpoint in config_list failed: config 0 (x): bad_request 400: no (9)`);
  });

  it('a trial that scores its rows resets the streak', () => {
    const w = new FailureWatch();
    for (let i = 0; i < FAILED_TRIALS_IN_A_ROW - 1; i++) w.observe(trial(i, 'a', 'failed'));
    w.observe(trial(7, 'b', 'running'));
    w.observe(trial(8, 'a', 'failed'));
    expect(w.verdict(arms)).toBeUndefined();
  });

  it("stops when every arm's trials failed before any succeeded", () => {
    const w = new FailureWatch();
    w.observe(trial(0, 'a', 'failed'));
    expect(w.verdict(arms)).toBeUndefined();
    w.observe(trial(1, 'b', 'failed'));
    expect(w.verdict(arms)).toMatch(/^every arm's trials failed \(2 arms, 2 trials\); the last one: .*no \(1\)$/);
  });
});
