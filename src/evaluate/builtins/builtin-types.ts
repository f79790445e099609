import type { EvalFunction, EvalRowField } from '../eval-types.js';
import type { OptionSpec, SpecLocation, ValidatedOptions } from './options.js';

/**
 * A built-in eval: a name, its declared options, and a factory that receives the validated
 * options and returns the eval function. Factories validate everything they can up front
 * (e.g. compile regexes and schemas) so config mistakes fail before any money is spent.
 */
export interface BuiltinEval {
  readonly name: string;
  /** One line for listings and error hints. */
  readonly summary: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** May be async: e.g. `code` checks for a Python interpreter before anything is spent. */
  create(options: ValidatedOptions, where: SpecLocation): EvalFunction | Promise<EvalFunction>;
}

/**
 * `1 − (1 − k/n)^n`: the chance that at least one of n draws (with replacement) from these n
 * responses is correct, as in the original's `eval_math_responses`. 0 when n is 0.
 *
 * @example
 * expectedSuccess(1, 2); // 0.75
 */
export function expectedSuccess(k: number, n: number): number {
  if (n <= 0) return 0;
  return 1 - Math.pow(1 - k / n, n);
}

/**
 * The `success` / `expected_success` / `pass_rate` triple for per-response pass flags.
 *
 * @example
 * passMetrics([true, false]); // { success: 1, expected_success: 0.75, pass_rate: 0.5 }
 */
export function passMetrics(passes: readonly boolean[]): { success: number; expected_success: number; pass_rate: number } {
  const n = passes.length;
  const k = passes.filter(Boolean).length;
  return { success: k > 0 ? 1 : 0, expected_success: expectedSuccess(k, n), pass_rate: n === 0 ? 0 : k / n };
}

/**
 * Read a row field as text (numbers are stringified). Throws a plain Error — reported for that
 * instance by `runEval` — when the field is missing or not a string/number.
 *
 * @example
 * rowText({ answer: 72 }, 'answer', 'exact_match'); // '72'
 */
export function rowText(row: Record<string, unknown>, field: string, builtin: string): string {
  const value = row[field];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (value === undefined) {
    throw new Error(`builtin:${builtin} needs row field '${field}', which is missing (row fields: ${Object.keys(row).join(', ') || 'none'})`);
  }
  throw new Error(`builtin:${builtin} needs row field '${field}' to be a string or number, got ${value === null ? 'null' : typeof value}`);
}

/** An eval function that declares the row fields it reads (checked before a cent is spent). */
export function withRowFields(fields: readonly EvalRowField[], fn: EvalFunction): EvalFunction {
  return Object.assign(fn, { rowFields: fields });
}
