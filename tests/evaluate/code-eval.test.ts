import { ConfigError } from '../../src/errors.js';
import { buildCandidate, extractCode, goldProgram } from '../../src/evaluate/builtins/code-program.js';
import { loadEval } from '../../src/evaluate/load-eval.js';
import type { EvalFunction } from '../../src/evaluate/eval-types.js';
import { runEval } from '../../src/evaluate/run-eval.js';

const ROW = {
  prompt: 'from typing import List\n\n\ndef add(xs: List[int]) -> int:\n    """Sum of xs."""\n',
  test: 'def check(candidate):\n    assert candidate([1, 2, 3]) == 6\n    assert candidate([]) == 0\n',
  entry_point: 'add',
};
const GOOD = '    return sum(xs)\n';
const WRONG = '    return 0\n';

describe('code programs', () => {
  it('completes the prompt with a body, or takes a whole def (keeping the prompt\'s imports)', () => {
    expect(buildCandidate(GOOD, ROW.prompt)).toBe(ROW.prompt + GOOD);
    const whole = 'def add(xs: List[int]) -> int:\n    return sum(xs)\n';
    expect(buildCandidate(whole, ROW.prompt)).toBe(`from typing import List\n\n${whole}`);
    expect(buildCandidate('def f():\n    return 1\n', 'def f():\n')).toBe('def f():\n    return 1\n');
  });

  it('drops everything from `def check(` and unwraps a fenced block', () => {
    expect(buildCandidate(`${GOOD}\ndef check(c):\n    assert False\n`, ROW.prompt)).toBe(`${ROW.prompt}${GOOD}\n`);
    expect(extractCode('Sure:\n```python\ndef f():\n    return 1\n```\nDone')).toBe('def f():\n    return 1\n');
    expect(extractCode('no fence')).toBe('no fence');
    const nestedHelper = '    def check(s):\n        return True\n    return check(xs)\n';
    expect(buildCandidate(nestedHelper, ROW.prompt)).toBe(ROW.prompt + nestedHelper);
  });

  it('appends the test and check(entry_point)', () => {
    expect(goldProgram('X', 'T', 'f')).toBe('X\nT\ncheck(f)\n');
  });
});

describe('builtin:code', () => {
  let code: EvalFunction;
  beforeAll(async () => {
    code = await loadEval({ builtin: 'code', timeout: 1 }, { baseDir: '.' });
  });

  it('passing and failing responses: success, expected_success, pass_rate', async () => {
    expect(await code([GOOD], ROW)).toEqual({ success: 1, expected_success: 1, pass_rate: 1 });
    expect(await code([WRONG], ROW)).toEqual({ success: 0, expected_success: 0, pass_rate: 0 });
    const mixed = await code([WRONG, GOOD], ROW);
    expect(mixed).toMatchObject({ success: 1, pass_rate: 0.5 });
    expect(mixed['expected_success']).toBeCloseTo(0.75, 12);
  });

  it('a syntax error and an infinite loop (timeout) fail without failing the eval', async () => {
    const syntax = '    return sum(xs\n';
    const loop = '    while True:\n        pass\n';
    const m = await code([syntax, loop, GOOD], ROW);
    expect(m).toMatchObject({ success: 1 });
    expect(m['pass_rate']).toBeCloseTo(1 / 3, 12);
  });

  it('a program that tries the network fails', async () => {
    const net = "    import urllib.request\n    urllib.request.urlopen('http://example.com', timeout=1)\n    return sum(xs)\n";
    expect(await code([net], ROW)).toMatchObject({ success: 0 });
  });

  it('picks the first response passing the row assertions (n > 1)', async () => {
    const rowWithAssertions = { ...ROW, assertions: 'assert add([1, 2, 3]) == 6' };
    // response 0 fails the assertions, 1 passes them and the gold test
    expect(await code([WRONG, GOOD, GOOD], rowWithAssertions)).toMatchObject({ pick_index: 1, success_pick: 1 });
    // a response that passes weak assertions but fails the gold test is picked, and success_pick says so
    const weak = { ...ROW, assertions: 'assert add([]) == 0' };
    expect(await code([WRONG, GOOD], weak)).toMatchObject({ pick_index: 0, success_pick: 0, success: 1 });
    // none passes: the last one is picked (the original's rule)
    expect(await code([WRONG, WRONG], rowWithAssertions)).toMatchObject({ pick_index: 1, success_pick: 0 });
    // n = 1: no pick metrics
    expect(await code([GOOD], rowWithAssertions)).not.toHaveProperty('pick_index');
  });

  it('reads configurable row fields and `definition`', async () => {
    const custom = await loadEval(
      { builtin: 'code', prompt_field: 'sig', test_field: 'tests', entry_point_field: 'fn', timeout: 2 },
      { baseDir: '.' },
    );
    expect(await custom([GOOD], { sig: ROW.prompt, tests: ROW.test, fn: 'add' })).toMatchObject({ success: 1 });
    expect(await code([GOOD], { definition: ROW.prompt, test: ROW.test, entry_point: 'add' })).toMatchObject({ success: 1 });
  });

  it('a row without a test is reported for that instance', async () => {
    const out = await runEval(code, [GOOD], { prompt: ROW.prompt, entry_point: 'add' }, 7);
    expect(out).toEqual({ ok: false, error: expect.stringMatching(/^instance 7: .*row field 'test'/) as unknown as string });
  });

  it('option errors are ConfigErrors naming the option', async () => {
    await expect(loadEval({ builtin: 'code', timeout: 'fast' }, { baseDir: '.', file: 't.yaml', field: 'eval' }))
      .rejects.toMatchObject({ field: 'eval.timeout', file: 't.yaml', message: expect.stringContaining("'timeout'") as unknown });
    await expect(loadEval({ builtin: 'code', python: 'no-such-python-xyz' }, { baseDir: '.' })).rejects.toBeInstanceOf(ConfigError);
    await expect(loadEval({ builtin: 'code', network_isolation: 'prelude' }, { baseDir: '.', field: 'eval' }))
      .rejects.toMatchObject({ field: 'eval.network_isolation', message: expect.stringContaining("replaced by 'sandbox'") as unknown });
    await expect(loadEval({ builtin: 'code', sandbox: 'docker' }, { baseDir: '.', field: 'eval' }))
      .rejects.toMatchObject({ field: 'eval.sandbox', message: expect.stringContaining('namespace, unsafe-prelude') as unknown });
  });

  it('says which sandbox it runs programs in', () => {
    expect(code.sandbox).toEqual({ level: 'namespace', description: expect.stringMatching(/^namespace \(/) as unknown });
  });

  it('refuses to load, with how to get a sandbox, where no namespace can be made; unsafe-prelude only when asked for', async () => {
    const refused = loadEval({ builtin: 'code', unshare: 'no-such-unshare-xyz' }, { baseDir: '.', file: 't.yaml', field: 'eval' });
    await expect(refused).rejects.toBeInstanceOf(ConfigError);
    await expect(refused).rejects.toMatchObject({
      field: 'eval.sandbox',
      message: expect.stringMatching(/refuses to run model-written programs: no safe sandbox .* 'no-such-unshare-xyz' was not found/) as unknown,
      hint: expect.stringContaining('sandbox: unsafe-prelude') as unknown,
    });
    const unsafe = await loadEval({ builtin: 'code', sandbox: 'unsafe-prelude', unshare: 'no-such-unshare-xyz' }, { baseDir: '.' });
    expect(unsafe.sandbox?.level).toBe('unsafe-prelude');
    expect(await unsafe([GOOD], ROW)).toMatchObject({ success: 1 });
  });
});
