import type { DatasetRow } from '../config/load-dataset.js';
import { ConfigError } from '../errors.js';
import { closest } from '../util/closest.js';
import type { EvalFunction } from './eval-types.js';

/** Rows checked: enough to catch a data set of another shape, few enough to cost nothing. */
export const ROWS_CHECKED = 20;

/**
 * Check the row fields a built-in eval reads against the first rows, before a cent is spent: an
 * eval that reads `answer` on rows that hold `solution` would otherwise fail on every answer
 * bought. The hint names the option to set and the field the rows likely mean (a close name, or
 * the one field no template uses).
 *
 * @param templateFields fields the prompt templates use (never the eval's field)
 */
export function checkEvalFields(evaluate: EvalFunction, rows: readonly DatasetRow[], dataFile: string, templateFields: readonly string[]): void {
  for (const { field, option, eval: name } of evaluate.rowFields ?? []) {
    const missing = rows.slice(0, ROWS_CHECKED).find((r) => !Object.hasOwn(r.row, field) || r.row[field] === undefined);
    if (!missing) continue;
    const fields = Object.keys(missing.row);
    // a row's id is never what an eval compares with
    const unused = fields.filter((f) => !templateFields.includes(f) && !/^(id|.*_id)$/i.test(f));
    const guess = closest(field, unused) ?? (unused.length === 1 ? unused[0] : undefined);
    throw new ConfigError(`builtin:${name} reads the row field '${field}' (its option \`${option}\`), which this row does not have (its fields: ${fields.join(', ') || 'none'})`, {
      file: dataFile,
      line: missing.line,
      field,
      code: 'E_CONFIG_EVAL_FIELD',
      hint: guess
        ? `did you mean \`${option}: ${guess}\`? e.g. eval: {builtin: ${name}, ${option}: ${guess}}`
        : `set the eval's option \`${option}\` to the row field that holds it, e.g. eval: {builtin: ${name}, ${option}: FIELD}`,
    });
  }
}
