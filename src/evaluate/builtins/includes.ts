import type { BuiltinEval } from './builtin-types.js';
import { withRowFields } from './builtin-types.js';
import { passMetrics, rowText } from './builtin-types.js';

/**
 * `builtin:includes` — a response passes when it contains the (trimmed) row field (`field`,
 * default `answer`), optionally ignoring case. Returns `success`, `expected_success` and
 * `pass_rate`.
 *
 * @example
 * const fn = includesEval.create(validateOptions('includes', includesEval.options, {}, {}), {});
 * fn(['It is Paris.'], { answer: 'Paris' }); // { success: 1, expected_success: 1, pass_rate: 1 }
 */
export const includesEval: BuiltinEval = {
  name: 'includes',
  summary: 'response contains the row field',
  options: {
    field: { kind: 'string', description: 'row field holding the text to look for (default "answer")' },
    ignore_case: { kind: 'boolean', description: 'compare case-insensitively (default false)' },
  },
  create(options) {
    const field = options.string('field') ?? 'answer';
    const fold = options.boolean('ignore_case') ?? false;
    return withRowFields([{ field, option: 'field', eval: 'includes' }], (responses, row) => {
      let needle = rowText(row, field, 'includes').trim();
      if (fold) needle = needle.toLowerCase();
      return passMetrics(responses.map((r) => (fold ? r.toLowerCase() : r).includes(needle)));
    });
  },
};
