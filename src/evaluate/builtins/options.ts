import { ConfigError } from '../../errors.js';
import { locate, type SpecLocation } from '../../config/user-module.js';

export { locate, type SpecLocation };


/** Declared type of one built-in option. */
export type OptionKind = 'string' | 'boolean' | 'number' | 'object';

/** Declaration of one option a built-in accepts. */
export interface OptionSpec {
  kind: OptionKind;
  description: string;
  /** Inclusive lower bound for numbers. */
  min?: number;
  /** Require an integer (numbers only). */
  integer?: boolean;
}

/**
 * Options after validation, with typed accessors; unset options read as `undefined`.
 *
 * @example
 * const o = validateOptions('x', { n: { kind: 'number', description: '' } }, { n: 2 }, {});
 * o.number('n'); // 2
 */
export interface ValidatedOptions {
  string(name: string): string | undefined;
  boolean(name: string): boolean | undefined;
  number(name: string): number | undefined;
  object(name: string): Record<string, unknown> | undefined;
  has(name: string): boolean;
}

/**
 * Check a built-in's options against its declaration: unknown names and wrong types are
 * `ConfigError`s that name the option and list the accepted ones.
 *
 * @example
 * validateOptions('exact_match', { field: { kind: 'string', description: '' } }, { feild: 'a' }, {});
 * // throws ConfigError: unknown option 'feild' for builtin:exact_match (accepted: field)
 */
export function validateOptions(
  builtin: string,
  specs: Readonly<Record<string, OptionSpec>>,
  raw: Readonly<Record<string, unknown>>,
  where: SpecLocation,
): ValidatedOptions {
  const accepted = Object.keys(specs);
  const values = new Map<string, unknown>();
  for (const [name, value] of Object.entries(raw)) {
    const spec = specs[name];
    if (spec === undefined) {
      throw optionError(where, name, `unknown option '${name}' for builtin:${builtin}`,
        accepted.length > 0 ? `accepted options: ${accepted.join(', ')}` : `builtin:${builtin} takes no options`);
    }
    if (value === undefined || value === null) continue;
    const problem = checkValue(spec, value);
    if (problem !== null) {
      throw optionError(where, name, `option '${name}' of builtin:${builtin} ${problem}`, spec.description);
    }
    values.set(name, value);
  }
  return {
    string: (name) => values.get(name) as string | undefined,
    boolean: (name) => values.get(name) as boolean | undefined,
    number: (name) => values.get(name) as number | undefined,
    object: (name) => values.get(name) as Record<string, unknown> | undefined,
    has: (name) => values.has(name),
  };
}

/**
 * A `ConfigError` about one option of an eval spec, located at `field.option`.
 *
 * @example
 * optionError({ file: 't.yaml', field: 'eval' }, 'pattern', 'bad regex').field; // 'eval.pattern'
 */
export function optionError(where: SpecLocation, option: string, message: string, hint?: string): ConfigError {
  const field = where.field ? `${where.field}.${option}` : option;
  return new ConfigError(message, { ...locate({ ...where, field }), ...(hint !== undefined ? { hint } : {}) });
}


// --- internal ---

function checkValue(spec: OptionSpec, value: unknown): string | null {
  switch (spec.kind) {
    case 'string':
      return typeof value === 'string' && value.length > 0 ? null : `must be a non-empty string, got ${show(value)}`;
    case 'boolean':
      return typeof value === 'boolean' ? null : `must be true or false, got ${show(value)}`;
    case 'object':
      return typeof value === 'object' && !Array.isArray(value) ? null : `must be an object, got ${show(value)}`;
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return `must be a number, got ${show(value)}`;
      if (spec.integer === true && !Number.isInteger(value)) return `must be an integer, got ${value}`;
      if (spec.min !== undefined && value < spec.min) return `must be >= ${spec.min}, got ${value}`;
      return null;
    }
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
