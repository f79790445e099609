import { ConfigError } from '../../src/errors.js';
import { loadEval } from '../../src/evaluate/load-eval.js';
import { runEval } from '../../src/evaluate/run-eval.js';

const here = { baseDir: '.', file: 'tune.yaml', field: 'eval' };

describe('builtin:exact_match', () => {
  it('trims, and is case-sensitive unless ignore_case', async () => {
    const fn = await loadEval('builtin:exact_match', here);
    expect(await fn(['  Paris\n', 'paris'], { answer: 'Paris ' })).toEqual({ success: 1, expected_success: 0.75, pass_rate: 0.5 });
    const folded = await loadEval({ builtin: 'exact_match', ignore_case: true }, here);
    expect(await folded(['  Paris\n', 'paris'], { answer: 'PARIS' })).toEqual({ success: 1, expected_success: 1, pass_rate: 1 });
  });

  it('numbers in the row compare as text; no responses → zeros', async () => {
    const fn = await loadEval('builtin:exact_match', here);
    expect(await fn(['42'], { answer: 42 })).toMatchObject({ success: 1 });
    expect(await fn([], { answer: 42 })).toEqual({ success: 0, expected_success: 0, pass_rate: 0 });
  });

  it('a missing row field is reported for that instance', async () => {
    const fn = await loadEval({ builtin: 'exact_match', field: 'gold' }, here);
    expect(await runEval(fn, ['x'], { answer: 'x' }, 5)).toEqual({
      ok: false, error: "instance 5: eval threw: builtin:exact_match needs row field 'gold', which is missing (row fields: answer)",
    });
    expect(await runEval(fn, ['x'], { gold: ['x'] }, 6)).toMatchObject({ ok: false, error: expect.stringContaining('string or number, got object') as unknown });
  });
});

describe('builtin:includes', () => {
  it('substring match, optional ignore_case', async () => {
    const fn = await loadEval({ builtin: 'includes', field: 'city' }, here);
    const m = await fn(['It is Paris.', 'It is paris.', 'Rome'], { city: 'Paris' });
    expect(m).toMatchObject({ success: 1 });
    expect(m['pass_rate']).toBeCloseTo(1 / 3, 12);
    expect(m['expected_success']).toBeCloseTo(1 - (2 / 3) ** 3, 12);
    const folded = await loadEval({ builtin: 'includes', field: 'city', ignore_case: true }, here);
    expect((await folded(['It is Paris.', 'It is paris.', 'Rome'], { city: 'PARIS' }))['pass_rate']).toBeCloseTo(2 / 3, 12);
  });
});

describe('builtin:regex', () => {
  it('pattern from options, with flags', async () => {
    const fn = await loadEval({ builtin: 'regex', pattern: '^answer: \\d+$', flags: 'im' }, here);
    expect(await fn(['work\nANSWER: 12', 'answer: twelve'], {})).toEqual({ success: 1, expected_success: 0.75, pass_rate: 0.5 });
  });

  it('global flags do not make repeated tests alternate', async () => {
    const fn = await loadEval({ builtin: 'regex', pattern: 'a', flags: 'g' }, here);
    expect(await fn(['a', 'a', 'a'], {})).toMatchObject({ pass_rate: 1 });
  });

  it('pattern from a row field; a bad row pattern is reported for that instance', async () => {
    const fn = await loadEval({ builtin: 'regex', pattern_field: 'expect' }, here);
    expect(await fn(['x = 5', 'x = 6'], { expect: 'x = [5]' })).toMatchObject({ pass_rate: 0.5 });
    expect(await runEval(fn, ['x'], { expect: '(' }, 2)).toMatchObject({ ok: false, error: expect.stringMatching(/^instance 2: .*row field 'expect' is not a valid regular expression/) as unknown });
  });

  it('config mistakes are ConfigErrors naming the option', async () => {
    await expect(loadEval({ builtin: 'regex' }, here)).rejects.toThrow(/exactly one of the options pattern or pattern_field/);
    await expect(loadEval({ builtin: 'regex', pattern: 'a', pattern_field: 'b' }, here)).rejects.toThrow(/exactly one/);
    const bad = (await loadEval({ builtin: 'regex', pattern: '(' }, here).catch((e: unknown) => e)) as ConfigError;
    expect(bad).toBeInstanceOf(ConfigError);
    expect(bad.field).toBe('eval.pattern');
    const flags = (await loadEval({ builtin: 'regex', pattern_field: 'p', flags: 'q' }, here).catch((e: unknown) => e)) as ConfigError;
    expect(flags.field).toBe('eval.flags');
    await expect(loadEval({ builtin: 'regex', pattern: '' }, here)).rejects.toThrow(/must be a non-empty string/);
  });
});
