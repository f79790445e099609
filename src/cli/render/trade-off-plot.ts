import type { ChalkInstance } from 'chalk';
import { isMeasured, type TrialSummary } from '../../index.js';
import { colorsFor, terminalWidth, type CliIO } from '../io.js';

/** One point of the terminal scatter. */
export interface PlotPoint {
  /** USD per instance. */
  cost: number;
  metric: number;
  pareto: boolean;
  pick: boolean;
}

/** Options of {@link renderTradeOffPlot}. */
export interface PlotOptions {
  metric: string;
  /** Characters of plot area (each holds 2 × 4 braille dots). */
  width: number;
  /** Lines of plot area. */
  height: number;
  /** Drawn as a dotted column where it falls inside the cost range. */
  inferenceBudget?: number | undefined;
  c: ChalkInstance;
}

/** Braille dot bits by [column 0..1][row 0..3 from the top] of a character cell. */
const DOT = [
  [0x01, 0x02, 0x04, 0x40],
  [0x08, 0x10, 0x20, 0x80],
] as const;

/**
 * A compact cost-vs-metric scatter in braille characters (each character is a 2 × 4 grid of
 * dots, so a 40 × 8 area shows 80 × 32 positions): a cell with a Pareto point is drawn in the
 * front's colour, the pick as ★, the inference budget as a dotted column. The cost axis is
 * logarithmic when every cost is positive and they span more than a factor of 10 (a tune's
 * trials range from a one-token answer to many votes). Pure: points in, lines out.
 *
 * @example
 * renderTradeOffPlot([{ cost: 0.001, metric: 0.8, pareto: true, pick: true }], { metric: 'accuracy', width: 40, height: 8, c: new Chalk({ level: 0 }) });
 */
export function renderTradeOffPlot(points: readonly PlotPoint[], opts: PlotOptions): string[] {
  if (points.length === 0) return [];
  const { width, height, c } = opts;
  const costs = points.map((p) => p.cost);
  const lo = Math.min(...costs);
  const hi = Math.max(...costs);
  const log = lo > 0 && hi / lo > 10;
  const fx = (x: number): number => (log ? Math.log10(x) : x);
  const [x0, x1] = [fx(lo), fx(hi)];
  const metrics = points.map((p) => p.metric);
  const [y0, y1] = [Math.min(...metrics), Math.max(...metrics)];
  const col = (x: number): number => (x1 === x0 ? width - 1 : Math.round(((fx(x) - x0) / (x1 - x0)) * (2 * width - 1)));
  const row = (y: number): number => (y1 === y0 ? 0 : Math.round(((y - y0) / (y1 - y0)) * (4 * height - 1)));
  const bits = Array.from({ length: height }, () => new Array<number>(width).fill(0));
  const front = Array.from({ length: height }, () => new Array<boolean>(width).fill(false));
  const star = Array.from({ length: height }, () => new Array<boolean>(width).fill(false));
  for (const p of points) {
    const dx = col(p.cost);
    const dy = 4 * height - 1 - row(p.metric); // dot rows from the top
    const [cx, cy] = [Math.floor(dx / 2), Math.floor(dy / 4)];
    (bits[cy] as number[])[cx] = ((bits[cy] as number[])[cx] as number) | DOT[dx % 2 as 0 | 1][dy % 4] as number;
    if (p.pareto) (front[cy] as boolean[])[cx] = true;
    if (p.pick) (star[cy] as boolean[])[cx] = true;
  }
  const budgetCol = opts.inferenceBudget !== undefined && opts.inferenceBudget >= lo && opts.inferenceBudget <= hi && (!log || opts.inferenceBudget > 0) ? Math.floor(col(opts.inferenceBudget) / 2) : -1;
  const label = (y: number): string => fmtMetric(y).padStart(7);
  const lines: string[] = [];
  for (let r = 0; r < height; r++) {
    let line = '';
    for (let x = 0; x < width; x++) {
      const b = (bits[r] as number[])[x] as number;
      if ((star[r] as boolean[])[x]) line += c.green.bold('★');
      else if (b !== 0) line += (front[r] as boolean[])[x] ? c.yellow(String.fromCodePoint(0x2800 + b)) : c.blue(String.fromCodePoint(0x2800 + b));
      else line += x === budgetCol ? c.red('┊') : ' ';
    }
    const axis = r === 0 ? `${label(y1)} ┤` : r === height - 1 ? `${label(y0)} ┤` : `${' '.repeat(7)} │`;
    lines.push(`${axis}${line}`);
  }
  lines.push(`${' '.repeat(8)}└${'─'.repeat(width)}`);
  const left = usdShort(lo);
  const right = usdShort(hi);
  lines.push(`${' '.repeat(9)}${left}${' '.repeat(Math.max(1, width - left.length - right.length))}${right}`);
  const legend = [`${c.yellow('⣿')} Pareto front`, `${c.green.bold('★')} pick`, ...(budgetCol >= 0 ? [`${c.red('┊')} inference budget`] : [])].join('  ');
  return [`${c.bold(`${opts.metric} vs USD per instance`)}${log ? ' (log scale)' : ''}: ${legend}`, ...lines];
}

function fmtMetric(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(3);
}

function usdShort(x: number): string {
  return x === 0 ? '$0' : `$${x.toPrecision(2)}`;
}

/**
 * The plot of a finished tune for a person at a terminal: nothing when stdout is not one (a
 * pipe, a file, CI), so scripts see the table alone; colours as the rest of the output.
 */
export function tuneTradeOffLines(o: { trials: readonly TrialSummary[]; pareto: readonly { trial: number }[]; best: TrialSummary | null; tuneConfig: { metric: string; inferenceBudget?: number | undefined } }, io: CliIO): string[] {
  if (!io.stdout.isTTY) return [];
  const front = new Set(o.pareto.map((p) => p.trial));
  const points = o.trials.filter(isMeasured).map((t) => ({ cost: t.inference_cost, metric: t.metric, pareto: front.has(t.trial), pick: t.trial === o.best?.trial }));
  if (points.length < 2) return [];
  const columns = terminalWidth(io) ?? 80;
  return renderTradeOffPlot(points, { metric: o.tuneConfig.metric, width: Math.max(20, Math.min(64, columns - 12)), height: 8, inferenceBudget: o.tuneConfig.inferenceBudget, c: colorsFor(io) });
}
