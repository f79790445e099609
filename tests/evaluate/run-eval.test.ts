import { checkMetrics, responsesToStrings, runEval } from '../../src/evaluate/run-eval.js';
import { loadEval } from '../../src/evaluate/load-eval.js';
import type { EvalFunction } from '../../src/evaluate/eval-types.js';
import { FIXTURES } from './helpers.js';

describe('runEval', () => {
  it('returns metrics, converting booleans to 0/1', async () => {
    const userEval = (() => ({ success: true, score: 0.5, none: false })) as unknown as EvalFunction; // JS evals may return booleans
    expect(await runEval(userEval, ['x'], {}, 0))
      .toEqual({ ok: true, metrics: { success: 1, score: 0.5, none: 0 } });
  });

  it('awaits async evals and reports rejections with the index', async () => {
    expect(await runEval(async () => ({ s: 1 }), [], {}, 0)).toEqual({ ok: true, metrics: { s: 1 } });
    expect(await runEval(() => Promise.reject(new Error('late')), [], {}, 9)).toEqual({ ok: false, error: 'instance 9: eval threw: late' });
    expect(await runEval(() => { throw 'plain'; }, [], {}, 2)).toEqual({ ok: false, error: 'instance 2: eval threw: the string "plain"' });
  });

  it('reports numeric strings, NaN, Infinity, null and non-object results', async () => {
    const fn = await loadEval('./bad-metrics.mjs', { baseDir: FIXTURES });
    expect(await runEval(fn, [], { kind: 'string' }, 3)).toEqual({ ok: false, error: 'instance 3: metric \'success\' is the string "1"; return a number', nonNumeric: ['success'] });
    expect(await runEval(fn, [], { kind: 'nan' }, 4)).toEqual({ ok: false, error: "instance 4: metric 'score' is NaN; it must be a finite number or a boolean" });
    expect(await runEval(fn, [], { kind: 'null' }, 5)).toMatchObject({ ok: false, error: expect.stringContaining("instance 5: metric 'score' is null") as unknown });
    expect(checkMetrics({ x: Infinity }, 1)).toMatchObject({ ok: false });
    expect(checkMetrics([1], 1)).toEqual({ ok: false, error: 'instance 1: eval returned an array; it must return an object of numeric metrics' });
    expect(checkMetrics(undefined, 1)).toMatchObject({ ok: false, error: expect.stringContaining('returned undefined') as unknown });
  });

  it('hands evals strings: function calls are JSON-stringified', async () => {
    const seen: string[][] = [];
    await runEval((r) => { seen.push(r); return {}; }, ['a', { name: 'f', arguments: '{}' }, null], {}, 0);
    expect(seen[0]).toEqual(['a', '{"name":"f","arguments":"{}"}', '']);
    expect(responsesToStrings([1, true])).toEqual(['1', 'true']);
  });
});
