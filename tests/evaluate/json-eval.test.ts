import { ConfigError } from '../../src/errors.js';
import { parseJsonResponse } from '../../src/evaluate/builtins/json.js';
import { loadEval } from '../../src/evaluate/load-eval.js';
import { runEval } from '../../src/evaluate/run-eval.js';

const here = { baseDir: '.', file: 'tune.yaml', field: 'eval' };
const PERSON = { type: 'object', required: ['name', 'age'], properties: { name: { type: 'string' }, age: { type: 'integer', minimum: 0 } } };

describe('parseJsonResponse', () => {
  it('parses plain and fenced JSON; malformed is undefined', () => {
    expect(parseJsonResponse(' {"a": [1, 2]} ')).toEqual({ a: [1, 2] });
    expect(parseJsonResponse('Here you go:\n```json\n{"a": 1}\n```\nAnything else?')).toEqual({ a: 1 });
    expect(parseJsonResponse('```\n[true]\n```')).toEqual([true]);
    expect(parseJsonResponse('null')).toBeNull();
    expect(parseJsonResponse("{'a': 1}")).toBeUndefined();
    expect(parseJsonResponse('{"a": 1')).toBeUndefined();
    expect(parseJsonResponse('')).toBeUndefined();
  });
});

describe('builtin:json', () => {
  it('without a schema: any JSON counts', async () => {
    const fn = await loadEval('builtin:json', here);
    expect(await fn(['{"a": 1}', 'not json', '```json\n[1]\n```', '{"a":'], {})).toEqual({ success: 1, expected_success: 1 - 0.5 ** 4, valid_rate: 0.5 });
    expect(await fn(['nope'], {})).toEqual({ success: 0, expected_success: 0, valid_rate: 0 });
  });

  it('schema from options: pass and fail', async () => {
    const fn = await loadEval({ builtin: 'json', schema: PERSON }, here);
    expect(await fn(['{"name": "Ada", "age": 36}'], {})).toEqual({ success: 1, expected_success: 1, valid_rate: 1 });
    expect(await fn(['{"name": "Ada", "age": -1}', '{"name": "Ada"}', '{"name": 1, "age": 3}'], {})).toEqual({ success: 0, expected_success: 0, valid_rate: 0 });
  });

  it('schema from a row field (object or JSON string) takes precedence over the option', async () => {
    const fn = await loadEval({ builtin: 'json', schema: PERSON, schema_field: 'schema' }, here);
    expect(await fn(['[1, 2]'], { schema: { type: 'array' } })).toMatchObject({ success: 1 });
    expect(await fn(['[1, 2]'], { schema: '{"type": "array", "maxItems": 1}' })).toMatchObject({ success: 0 });
    expect(await fn(['[1, 2]'], {})).toMatchObject({ success: 0 }); // falls back to PERSON
    expect(await runEval(fn, ['[]'], { schema: '{oops' }, 4)).toMatchObject({ ok: false, error: expect.stringMatching(/^instance 4: .*is a string but not JSON/) as unknown });
    expect(await runEval(fn, ['[]'], { schema: { type: 'no-such-type' } }, 5)).toMatchObject({ ok: false, error: expect.stringMatching(/^instance 5: .*not a valid JSON Schema/) as unknown });
  });

  it('an invalid schema option is a ConfigError', async () => {
    const err = (await loadEval({ builtin: 'json', schema: { type: 'strnig' } }, here).catch((e: unknown) => e)) as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.field).toBe('eval.schema');
    await expect(loadEval({ builtin: 'json', schema: 'object' }, here)).rejects.toThrow(/must be an object/);
  });
});
