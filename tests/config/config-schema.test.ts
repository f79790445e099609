import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import AjvModule from 'ajv';
import { parse } from 'yaml';
import { SCHEMA_FILE, schemaText, tuneConfigSchema } from '../../src/config/config-schema.js';
import { initConfigText } from '../../src/config/init-config.js';
import { SEARCH_SPACE_KEYS } from '../../src/space/request-keys.js';
import { TUNE_KEYS } from '../../src/ops/tune-config.js';
import { tuneYaml } from '../tune/tune-helpers.js';

type AjvClass = typeof AjvModule.default;
const Ajv: AjvClass = (AjvModule as unknown as { default?: AjvClass }).default ?? (AjvModule as unknown as AjvClass);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(tuneConfigSchema());

function errorsOf(yamlText: string): string[] {
  return validate(parse(yamlText)) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

describe('autotune.schema.json', () => {
  it('is what `npm run schema` writes from the key registries (regenerate it when a key changes)', () => {
    expect(readFileSync(join(ROOT, SCHEMA_FILE), 'utf8')).toBe(schemaText());
    const schema = tuneConfigSchema() as { properties: Record<string, { properties?: Record<string, unknown> }> };
    expect(Object.keys(schema.properties)).toEqual([...TUNE_KEYS]);
    expect(Object.keys(schema.properties.search_space?.properties ?? {})).toEqual(Object.keys(SEARCH_SPACE_KEYS));
  });

  it('accepts the example configs, the test configs and what init writes', () => {
    for (const file of ['tune.example.yaml', 'fixtures/tasks/code/tune.yaml', 'fixtures/tasks/classify/tune.yaml']) {
      expect({ file, errors: errorsOf(readFileSync(join(ROOT, file), 'utf8')) }).toEqual({ file, errors: [] });
    }
    expect(errorsOf(tuneYaml())).toEqual([]);
    expect(errorsOf(tuneYaml({}, 'search_space:\n  model: [{model: gpt-4, temperature: {uniform: [0, 1]}}, gpt-3.5-turbo]\n  messages: [[{role: user, content: "{problem}"}]]'))).toEqual([]);
    const init = initConfigText({ data: 'data.jsonl', inputField: 'question', answerField: 'gold', baseURL: 'http://127.0.0.1:8080/v1', schema: './autotune.schema.json' });
    expect(errorsOf(init)).toEqual([]);
  });

  it('flags what the loader refuses: unknown keys (top level and in the space), bad values', () => {
    expect(errorsOf(tuneYaml({ optimisation_budget: '1' }))).toEqual([expect.stringMatching(/must NOT have additional properties/)]);
    expect(errorsOf(tuneYaml({}, 'search_space:\n  model: gpt-4\n  temprature: 0.5')).join('\n')).toMatch(/\/search_space must NOT have additional properties/);
    expect(errorsOf(tuneYaml({ optimization_budget: '-1' })).join('\n')).toMatch(/\/optimization_budget must be > 0/);
    expect(errorsOf(tuneYaml({ mode: 'maxx' })).join('\n')).toMatch(/\/mode must be equal to one of the allowed values/);
    expect(errorsOf(tuneYaml({}, 'search_space:\n  model: gpt-4\n  temperature: 3')).join('\n')).toMatch(/\/search_space\/temperature/);
    expect(errorsOf(tuneYaml({ data: '""' })).join('\n')).toMatch(/\/data must NOT have fewer than 1 characters/);
  });
});
