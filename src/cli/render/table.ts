import type { ChalkInstance } from 'chalk';

/** A plain text table with aligned columns; the header is bold when colours are on. */
export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, c: ChalkInstance): string {
  const widths = headers.map((h, i) => Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ''))));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => cell + ' '.repeat(Math.max(0, (widths[i] ?? 0) - visible(cell)))).join('  ').trimEnd();
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
