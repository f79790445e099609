import type { ChalkInstance } from 'chalk';

/** Options of {@link renderTable}. */
export interface TableOptions {
  /** Indices of right-aligned columns (numbers). */
  right?: readonly number[];
  /** The terminal's width: columns in `cut` are narrowed (cells end in …) so that lines fit. */
  fit?: number | undefined;
  /** Indices of the columns that may be cut to fit, free text rather than numbers (default: the last). */
  cut?: readonly number[];
}

/** The narrowest a cut column gets, however narrow the terminal. */
const MIN_CUT_WIDTH = 6;

/**
 * A plain text table with aligned columns; the header is bold when colours are on. Columns
 * listed in `opts.right` (indices) are right-aligned, for numbers. With `opts.fit`, cells of the
 * last column (free text such as settings) are cut with an ellipsis so lines fit the terminal.
 */
export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, c: ChalkInstance, opts: TableOptions = {}): string {
  const widths = headers.map((h, i) => Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ''))));
  if (opts.fit !== undefined) {
    const cut = fitWidths(widths, opts.fit, opts.cut ?? [headers.length - 1]);
    const shorten = (cells: readonly string[]): string[] => cells.map((cell, i) => (cut.has(i) ? ellipsis(cell, widths[i] ?? 0) : cell));
    headers = shorten(headers);
    rows = rows.map(shorten);
  }
  const pad = (cell: string, i: number): string => {
    const fill = ' '.repeat(Math.max(0, (widths[i] ?? 0) - visible(cell)));
    return opts.right?.includes(i) ? fill + cell : cell + fill;
  };
  const line = (cells: readonly string[]): string => cells.map(pad).join('  ').trimEnd();
  return [c.bold(line(headers)), c.dim(widths.map((w) => '─'.repeat(w)).join('  ')), ...rows.map(line)].join('\n');
}

/**
 * Two columns: key and value. With `fit` (the terminal's width), a long value is wrapped onto
 * lines indented under the value column: nothing is cut (it is the result the user asked for).
 */
export function renderKeyValues(pairs: ReadonlyArray<readonly [string, string]>, c: ChalkInstance, fit?: number): string {
  const w = Math.max(0, ...pairs.map(([k]) => k.length));
  const room = fit === undefined ? Infinity : Math.max(MIN_CUT_WIDTH, fit - w - 2);
  return pairs.map(([k, v]) => `${c.dim(k.padEnd(w))}  ${wrap(v, room).join(`\n${' '.repeat(w + 2)}`)}`).join('\n');
}

/**
 * Narrow the widths of the `cuttable` columns, the widest first, until a line fits `fit`
 * characters (or each is down to MIN_CUT_WIDTH). Returns the columns that were narrowed.
 */
function fitWidths(widths: number[], fit: number, cuttable: readonly number[]): Set<number> {
  const cut = new Set<number>();
  let excess = widths.reduce((a, w) => a + w, 0) + 2 * (widths.length - 1) - fit;
  while (excess > 0) {
    let widest = -1;
    for (const i of cuttable) if ((widths[i] ?? 0) > MIN_CUT_WIDTH && (widest < 0 || (widths[i] ?? 0) > (widths[widest] ?? 0))) widest = i;
    if (widest < 0) break;
    widths[widest] = (widths[widest] ?? 0) - 1;
    cut.add(widest);
    excess--;
  }
  return cut;
}

/** A cell cut to `width` visible characters, the last one an ellipsis (colour codes dropped). */
export function ellipsis(cell: string, width: number): string {
  const plain = cell.replace(ANSI, '');
  return plain.length <= width ? cell : `${plain.slice(0, Math.max(0, width - 1))}…`;
}

/** USD with enough digits for sub-cent amounts. */
export function usd(x: number): string {
  if (x === 0) return '$0';
  const abs = Math.abs(x);
  return `$${abs >= 1 ? x.toFixed(2) : abs >= 0.01 ? x.toFixed(4) : x.toPrecision(3)}`;
}

const ANSI = /\u001b\[[0-9;]*m/g;

function visible(s: string): number {
  // strip ANSI colour codes when measuring
  return s.replace(ANSI, '').length;
}

/** A value in pieces of at most `width` characters (values are plain text: no colour codes). */
function wrap(value: string, width: number): string[] {
  if (value.length <= width) return [value];
  const lines: string[] = [];
  for (let i = 0; i < value.length; i += width) lines.push(value.slice(i, i + width));
  return lines;
}
