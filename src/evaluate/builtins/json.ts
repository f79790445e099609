import AjvModule from 'ajv';
import type { ValidateFunction } from 'ajv';
import type { BuiltinEval } from './builtin-types.js';
import { expectedSuccess } from './builtin-types.js';
import { optionError } from './options.js';

// ajv is CommonJS: under NodeNext the default import is `module.exports`, whose `.default` is the
// class; some loaders (bundlers, jest) hand the class itself. Accept both.
type AjvClass = typeof AjvModule.default;
const Ajv: AjvClass = (AjvModule as unknown as { default?: AjvClass }).default ?? (AjvModule as unknown as AjvClass);

/** Row schemas compiled per eval instance; bounded so a dataset of distinct schemas stays small. */
const MAX_CACHED_SCHEMAS = 256;

/**
 * The JSON value a response carries: the content of the first ```json (or bare ```) fenced
 * block if there is one, else the whole trimmed response. `undefined` when it does not parse.
 *
 * @example
 * parseJsonResponse('```json\n{"a": 1}\n```'); // { a: 1 }
 * parseJsonResponse('{a: 1}');                 // undefined
 */
export function parseJsonResponse(response: string): unknown {
  const fence = /```[ \t]*(?:json)?[ \t]*\r?\n([\s\S]*?)```/i.exec(response);
  const text = (fence?.[1] ?? response).trim();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * `builtin:json` — a response is valid when it parses as JSON (see {@link parseJsonResponse})
 * and, if a schema applies, validates against it (ajv, draft-07). The schema is the row's
 * `schema_field` value when present (an object, or a string holding JSON), else the `schema`
 * option, else none. Returns `success` (any valid), `expected_success` = 1 − (1 − v)^n and
 * `valid_rate` = v, the fraction of valid responses.
 *
 * @example
 * const fn = jsonEval.create(validateOptions('json', jsonEval.options, { schema: { type: 'object' } }, {}), {});
 * fn(['{"a":1}', '[1]'], {}); // { success: 1, expected_success: 0.75, valid_rate: 0.5 }
 */
export const jsonEval: BuiltinEval = {
  name: 'json',
  summary: 'response is JSON (optionally fenced), optionally valid against a JSON Schema',
  options: {
    schema: { kind: 'object', description: 'a JSON Schema (draft-07) every response must satisfy' },
    schema_field: { kind: 'string', description: 'row field holding a per-row JSON Schema (object or JSON string)' },
  },
  create(options, where) {
    const ajv = new Ajv({ allErrors: false, strict: false });
    const schema = options.object('schema');
    let fixed: ValidateFunction | undefined;
    if (schema !== undefined) {
      try {
        fixed = ajv.compile(schema);
      } catch (err) {
        throw optionError(where, 'schema', `builtin:json: invalid JSON Schema: ${(err as Error).message}`);
      }
    }
    const schemaField = options.string('schema_field');
    const cache = new Map<string, ValidateFunction>();
    const rowValidator = (raw: unknown): ValidateFunction => {
      const parsed: unknown = typeof raw === 'string' ? parseRowSchema(raw, schemaField ?? '') : raw;
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new Error(`builtin:json: row field '${schemaField}' must be a JSON Schema object`);
      }
      const key = JSON.stringify(parsed);
      const hit = cache.get(key);
      if (hit) return hit;
      let compiled: ValidateFunction;
      try {
        compiled = ajv.compile(parsed);
      } catch (err) {
        throw new Error(`builtin:json: row field '${schemaField}' is not a valid JSON Schema: ${(err as Error).message}`);
      }
      if (cache.size >= MAX_CACHED_SCHEMAS) cache.clear();
      cache.set(key, compiled);
      return compiled;
    };
    return (responses, row) => {
      const rowSchema = schemaField === undefined ? undefined : row[schemaField];
      const validate = rowSchema !== undefined && rowSchema !== null ? rowValidator(rowSchema) : fixed;
      const n = responses.length;
      let valid = 0;
      for (const response of responses) {
        const value = parseJsonResponse(response);
        if (value !== undefined && (validate === undefined || validate(value))) valid++;
      }
      return { success: valid > 0 ? 1 : 0, expected_success: expectedSuccess(valid, n), valid_rate: n === 0 ? 0 : valid / n };
    };
  },
};

function parseRowSchema(text: string, field: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`builtin:json: row field '${field}' is a string but not JSON`);
  }
}
