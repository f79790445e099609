import type { BuiltinEval } from './builtin-types.js';
import { withRowFields } from './builtin-types.js';
import { passMetrics, rowText } from './builtin-types.js';

/**
 * `builtin:exact_match` — a response passes when, trimmed, it equals the trimmed row field
 * (`field`, default `answer`), optionally ignoring case. Returns `success`,
 * `expected_success` and `pass_rate`.
 *
 * @example
 * const fn = exactMatchEval.create(validateOptions('exact_match', exactMatchEval.options, {}, {}), {});
 * fn([' Paris ', 'Rome'], { answer: 'Paris' }); // { success: 1, expected_success: 0.75, pass_rate: 0.5 }
 */
export const exactMatchEval: BuiltinEval = {
  name: 'exact_match',
  summary: 'trimmed response equals the row field',
  options: {
    field: { kind: 'string', description: 'row field holding the expected text (default "answer")' },
    ignore_case: { kind: 'boolean', description: 'compare case-insensitively (default false)' },
  },
  create(options) {
    const field = options.string('field') ?? 'answer';
    const fold = options.boolean('ignore_case') ?? false;
    const prep = (s: string): string => (fold ? s.trim().toLowerCase() : s.trim());
    return withRowFields([{ field, option: 'field', eval: 'exact_match' }], (responses, row) => {
      const expected = prep(rowText(row, field, 'exact_match'));
      return passMetrics(responses.map((r) => prep(r) === expected));
    });
  },
};
