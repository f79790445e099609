import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/errors.js';
import { listBuiltinEvals, loadEval } from '../../src/evaluate/load-eval.js';
import { runEval } from '../../src/evaluate/run-eval.js';
import { aggregateMetrics } from '../../src/evaluate/aggregate.js';
import { FIXTURES } from './helpers.js';

const where = { baseDir: FIXTURES, file: 'tune.yaml', field: 'eval' };

describe('loadEval: modules', () => {
  it('sync default export (.mjs)', async () => {
    const fn = await loadEval('./sync-eval.mjs', where);
    expect(await fn(['a', 'b'], { answer: 'b' })).toEqual({ success: true, n: 2 });
  });

  it('async named export `evaluate` (.js)', async () => {
    const fn = await loadEval('./async-eval.js', where);
    expect(await fn(['ab', 'abc'], { max_length: 3 })).toEqual({ length_ok: 1 });
  });

  it('CommonJS: module.exports = function, and module.exports = { evaluate }', async () => {
    const fn = await loadEval('./cjs-eval.cjs', where);
    expect(await fn(['x', 'y'], { answer: 'y' })).toEqual({ success: 1 });
    const named = await loadEval('./cjs-named.cjs', where);
    expect(await named(['x', 'y'], {})).toEqual({ count: 2 });
  });

  it('absolute paths work too', async () => {
    const fn = await loadEval(join(FIXTURES, 'sync-eval.mjs'), { baseDir: '/' });
    expect(await fn(['a'], { answer: 'a' })).toMatchObject({ success: true });
  });

  it('a throwing eval is reported with its instance index and the rest of the run is kept', async () => {
    const fn = await loadEval('./throwing-eval.mjs', where);
    const rows = [{ id: 'a' }, { id: 'b', boom: true }, { id: 'c' }];
    const outcomes = await Promise.all(rows.map((row, i) => runEval(fn, ['x'], row, i)));
    expect(outcomes[1]).toEqual({ ok: false, error: 'instance 1: eval threw: cannot score row b' });
    const agg = aggregateMetrics(outcomes.map((o) => (o.ok ? o.metrics : null)));
    expect(agg).toMatchObject({ metrics: { success: 1 }, instances: 2, failed: 1 });
  });

  it('missing file: ConfigError with the resolved path and location', async () => {
    const err = await loadEval('./nope.mjs', where).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({ file: 'tune.yaml', field: 'eval', exitCode: 2 });
    expect((err as Error).message).toBe(`eval module not found: ${join(FIXTURES, 'nope.mjs')}`);
    expect((err as ConfigError).hint).toContain(FIXTURES);
  });

  it('no function export: ConfigError listing the exports', async () => {
    const err = (await loadEval('./no-export.mjs', where).catch((e: unknown) => e)) as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/has no function export: it exports options \(object: strict\), threshold \(number\)/);
    expect(err.hint).toMatch(/export default/);
  });

  it('wrong extension and modules that fail to load are ConfigErrors', async () => {
    await expect(loadEval('./eval.ts', where)).rejects.toThrow(/must be a JavaScript module/);
    const dir = mkdtempSync(join(tmpdir(), 'autotune-eval-test-'));
    try {
      // A top-level throw: jest's VM-module loader crashes the worker on a *syntax* error in a
      // dynamically imported file (plain Node rejects the import, which takes the same path).
      writeFileSync(join(dir, 'broken.mjs'), "throw new Error('missing dependency');\nexport default () => ({});\n");
      const err = (await loadEval('./broken.mjs', { baseDir: dir }).catch((e: unknown) => e)) as ConfigError;
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.message).toBe(`eval module ${join(dir, 'broken.mjs')} failed to load: missing dependency`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('loadEval: builtins and spec errors', () => {
  it('lists the builtins', () => {
    expect(listBuiltinEvals()).toEqual(['answer_vote', 'code', 'exact_match', 'includes', 'json', 'regex']);
  });

  it('`builtin:NAME` and `{ builtin: NAME, ...options }`', async () => {
    const a = await loadEval('builtin:exact_match', where);
    expect(await a([' 4 '], { answer: '4' })).toEqual({ success: 1, expected_success: 1, pass_rate: 1 });
    const b = await loadEval({ builtin: 'exact_match', ignore_case: true, field: 'gold' }, where);
    expect(await b(['PARIS'], { gold: 'paris' })).toMatchObject({ success: 1 });
  });

  it('unknown builtin: ConfigError listing the builtins', async () => {
    const err = (await loadEval('builtin:exact', where).catch((e: unknown) => e)) as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toBe("unknown builtin eval 'exact'");
    expect(err.hint).toBe('builtins: answer_vote, code, exact_match, includes, json, regex');
    await expect(loadEval({ builtin: 'toString' }, where)).rejects.toThrow(/unknown builtin eval 'toString'/);
  });

  it('bad option: ConfigError naming the option (unknown name, wrong type)', async () => {
    const unknown = (await loadEval({ builtin: 'exact_match', ignorecase: true }, where).catch((e: unknown) => e)) as ConfigError;
    expect(unknown.message).toBe("unknown option 'ignorecase' for builtin:exact_match");
    expect(unknown.field).toBe('eval.ignorecase');
    expect(unknown.hint).toBe('accepted options: field, ignore_case');
    const wrongType = (await loadEval({ builtin: 'exact_match', ignore_case: 'yes' }, where).catch((e: unknown) => e)) as ConfigError;
    expect(wrongType.message).toBe('option \'ignore_case\' of builtin:exact_match must be true or false, got "yes"');
    expect(wrongType.location).toBe('tune.yaml: eval.ignore_case');
  });

  it('malformed specs', async () => {
    await expect(loadEval({ module: './x.mjs' } as never, where)).rejects.toThrow(/needs a string 'builtin' key/);
    await expect(loadEval(42 as never, where)).rejects.toThrow(/must be a module path/);
    await expect(loadEval('  ', where)).rejects.toThrow(/empty/);
  });
});
