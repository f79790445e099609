import type { ChalkInstance } from 'chalk';

/**
 * A plain text table with aligned columns; the header is bold when colours are on. Columns
 * listed in `opts.right` (indices) are right-aligned, for numbers.
 */
export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, c: ChalkInstance, opts: { right?: readonly number[] } = {}): string {
  const widths = headers.map((h, i) => Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ''))));
  const pad = (cell: string, i: number): string => {
    const fill = ' '.repeat(Math.max(0, (widths[i] ?? 0) - visible(cell)));
    return opts.right?.includes(i) ? fill + cell : cell + fill;
  };
  const line = (cells: readonly string[]): string => cells.map(pad).join('  ').trimEnd();
  return [c.bold(line(headers)), c.dim(widths.map((w) => '─'.repeat(w)).join('  ')), ...rows.map(line)].join('\n');
}

/** Two columns: key and value. */
export function renderKeyValues(pairs: ReadonlyArray<readonly [string, string]>, c: ChalkInstance): string {
  const w = Math.max(0, ...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${c.dim(k.padEnd(w))}  ${v}`).join('\n');
}

/** USD with enough digits for sub-cent amounts. */
export function usd(x: number): string {
  if (x === 0) return '$0';
  const abs = Math.abs(x);
  return `$${abs >= 1 ? x.toFixed(2) : abs >= 0.01 ? x.toFixed(4) : x.toPrecision(3)}`;
}

function visible(s: string): number {
  // strip ANSI colour codes when measuring
  return s.replace(/\u001b\[[0-9;]*m/g, '').length;
}
