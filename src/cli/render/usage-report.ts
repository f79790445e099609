import type { ChalkInstance } from 'chalk';
import type { ModelUsage, UsageFilter, UsageReport } from '../../index.js';
import { renderTable, usd } from './table.js';
import { formatCount, formatTime } from './units.js';

const RUNS_SHOWN = 5;

/** The `autotune usage` table: per model, a total row, failures by kind, the latest runs. */
export function renderUsageReport(log: string, filter: UsageFilter, r: UsageReport, c: ChalkInstance): string {
  const out: string[] = [];
  const span = r.first !== null && r.last !== null ? `, ${formatTime(r.first)} → ${formatTime(r.last)}` : '';
  out.push(`${c.bold('Usage')} from ${log}${describeFilter(filter)}: ${r.runs.length} run${r.runs.length === 1 ? '' : 's'}${span}`);
  if (r.runs.length === 0) {
    out.push('', 'Nothing logged matches these filters.');
    return out.join('\n');
  }
  const row = (name: string, m: ModelUsage): string[] => [
    name,
    formatCount(m.requests),
    formatCount(m.cache_hits),
    formatCount(m.prompt_tokens),
    formatCount(m.cached_tokens),
    formatCount(m.completion_tokens),
    formatCount(m.reasoning_tokens),
    usd(m.cost),
    usd(m.saved),
    formatCount(m.failed),
  ];
  const rows = Object.entries(r.by_model).map(([model, m]) => row(model, m));
  if (rows.length > 1) rows.push(row(c.bold('total'), r.totals));
  out.push('', renderTable(['model', 'requests', 'cache hits', 'prompt tokens', 'of them cached', 'completion tokens', 'of them reasoning', 'paid', 'saved by cache', 'failed'], rows, c, { right: [1, 2, 3, 4, 5, 6, 7, 8, 9] }));
  const failures = Object.entries(r.failures);
  if (r.totals.estimated_cost > 0) {
    out.push('', c.yellow(`${usd(r.totals.estimated_cost)} of the paid total is estimated: the server's usage was missing, not numbers, or contradicted by its answer (autotune counted the tokens)`));
  }
  if (failures.length > 0) {
    out.push('', `${c.yellow('Failed attempts')} (every retry counts): ${failures.map(([k, n]) => `${k} ${n}`).join(', ')}`);
    for (const [kind, message] of Object.entries(r.error_messages)) out.push(`  last ${kind}: ${message}`);
  }
  out.push('', c.bold(r.runs.length > RUNS_SHOWN ? `Latest ${RUNS_SHOWN} runs` : 'Runs'));
  const runRows = r.runs.slice(0, RUNS_SHOWN).map((run) => [run.run_id, run.command, run.seed ?? '–', formatTime(run.started_at), formatCount(run.rows), usd(run.cost)]);
  out.push(renderTable(['run', 'command', 'seed', 'started', 'rows', 'paid'], runRows, c, { right: [4, 5] }));
  return out.join('\n');
}

function describeFilter(f: UsageFilter): string {
  const parts: string[] = [];
  if (f.since !== undefined) parts.push(`since ${formatTime(f.since)}`);
  if (f.run !== undefined) parts.push(`run ${f.run}`);
  if (f.command !== undefined) parts.push(`command ${f.command}`);
  if (f.model !== undefined) parts.push(`model ${f.model}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}
