import type { BuiltinEval } from './builtin-types.js';
import { passMetrics, rowText } from './builtin-types.js';
import { optionError } from './options.js';

/**
 * `builtin:regex` — a response passes when the regular expression matches somewhere in it. The
 * pattern comes from the `pattern` option (compiled when the eval is loaded, so a bad pattern is
 * a ConfigError) or, per row, from the row field named by `pattern_field`; `flags` are
 * JavaScript RegExp flags (`i`, `m`, `s`, `u`). Returns `success`, `expected_success`, `pass_rate`.
 *
 * @example
 * const fn = regexEval.create(validateOptions('regex', regexEval.options, { pattern: '^\\d+$' }, {}), {});
 * fn(['42', 'forty-two'], {}); // { success: 1, expected_success: 0.75, pass_rate: 0.5 }
 */
export const regexEval: BuiltinEval = {
  name: 'regex',
  summary: 'response matches a regular expression (from options or a row field)',
  options: {
    pattern: { kind: 'string', description: 'a JavaScript regular expression, e.g. "^\\\\d+$"' },
    pattern_field: { kind: 'string', description: 'row field holding the regular expression for that row' },
    flags: { kind: 'string', description: 'RegExp flags, e.g. "i"' },
  },
  create(options, where) {
    const pattern = options.string('pattern');
    const patternField = options.string('pattern_field');
    const flags = (options.string('flags') ?? '').replace(/[gy]/g, ''); // stateful flags would make test() alternate
    if ((pattern === undefined) === (patternField === undefined)) {
      throw optionError(where, 'pattern', 'builtin:regex needs exactly one of the options pattern or pattern_field',
        'e.g. { builtin: regex, pattern: "^\\\\d+$" } or { builtin: regex, pattern_field: expected_regex }');
    }
    let fixed: RegExp | undefined;
    try {
      fixed = new RegExp(pattern ?? '', flags);
    } catch (err) {
      const option = pattern === undefined ? 'flags' : 'pattern';
      throw optionError(where, option, `builtin:regex: invalid ${option}: ${(err as Error).message}`);
    }
    if (pattern === undefined) fixed = undefined;
    return (responses, row) => {
      const re = fixed ?? compileRowPattern(rowText(row, patternField ?? '', 'regex'), flags, patternField ?? '');
      return passMetrics(responses.map((r) => re.test(r)));
    };
  },
};

function compileRowPattern(source: string, flags: string, field: string): RegExp {
  try {
    return new RegExp(source, flags);
  } catch (err) {
    throw new Error(`builtin:regex: row field '${field}' is not a valid regular expression: ${(err as Error).message}`);
  }
}
