import { stringify } from 'yaml';
import type { TrialSummary } from '../tune/trial-summary.js';
import { isMeasured } from './pareto.js';
import type { TestResultsData } from './test-results-data.js';
import type { TuneReportData } from './tune-log-data.js';
import { REPORT_SCRIPT, REPORT_STYLE } from './report-page.js';

/** What the page draws, embedded in it as JSON (the page's script reads it). */
interface PageData {
  metric: string;
  mode: 'max' | 'min';
  inferenceBudget: number | null;
  points: Array<{ trial: number; cost: number; metric: number; low: number | null; high: number | null; pareto: boolean; pick: boolean; rows: number; state: string }>;
  history: Array<{ trial: number; metric: number | null; spent: number | null }>;
}

/**
 * The report of a tune (and of test runs) as ONE self-contained HTML page: the charting library
 * (`chartLibrary`, Chart.js's UMD build, passed in by the caller), the script, the styles and the
 * data are inlined, and a Content-Security-Policy forbids every fetch, so it opens offline and
 * never calls out. Pure: data in, text out.
 */
export function renderReportHtml(tune: TuneReportData | undefined, tests: readonly TestResultsData[], chartLibrary: string): string {
  const title = tune ? `autotune report: ${tune.configFile ? baseName(tune.configFile) : tune.identity}` : 'autotune report: test runs';
  const body = [tune ? tuneSections(tune) : '', tests.length > 0 ? testSection(tests) : ''].join('\n');
  const data = tune ? pageData(tune) : null;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${REPORT_STYLE}</style>
</head>
<body>
<h1>${esc(title)}</h1>
${body}
<script id="report-data" type="application/json">${json(data)}</script>
<script>${chartLibrary.replace(/<\/script/gi, '<\\/script')}</script>
<script>${REPORT_SCRIPT}</script>
</body>
</html>
`;
}

// --- internal ---

function pageData(t: TuneReportData): PageData {
  const front = new Set(t.pareto.map((p) => p.trial));
  const z = 1.959964;
  return {
    metric: t.metric ?? 'metric',
    mode: t.mode,
    inferenceBudget: t.inferenceBudget,
    points: t.trials.filter(isMeasured).map((x) => ({
      trial: x.trial,
      cost: x.inference_cost,
      metric: x.metric,
      low: x.se === null ? null : x.metric - z * x.se,
      high: x.se === null ? null : x.metric + z * x.se,
      pareto: front.has(x.trial),
      pick: x.trial === t.pick,
      rows: x.rows,
      state: x.state,
    })),
    history: spendByTrial(t),
  };
}

/**
 * Each trial's metric, and what the tune had spent when the trial first reported (trials race
 * side by side, so later lines of an early trial come after later trials start): never falling.
 */
function spendByTrial(t: TuneReportData): PageData['history'] {
  const first = new Map<number, number>();
  for (const s of t.spend) if (!first.has(s.trial)) first.set(s.trial, s.spent);
  let most = 0;
  return t.trials.map((x) => {
    const spent = first.get(x.trial);
    if (spent !== undefined) most = Math.max(most, spent);
    return { trial: x.trial, metric: x.metric, spent: spent === undefined ? null : most };
  });
}

function tuneSections(t: TuneReportData): string {
  const metric = t.metric ?? 'metric';
  const picked = t.trials.find((x) => x.trial === t.pick);
  const unmeasured = t.trials.length - t.trials.filter(isMeasured).length;
  const facts: Array<[string, string]> = [
    ['metric', `${metric} (${t.mode === 'min' ? 'lower' : 'higher'} is better)`],
    ['trials', `${t.trials.length}${unmeasured > 0 ? ` (${unmeasured} without a measurement: in the table only)` : ''}`],
    ['Pareto front', `${t.pareto.length} trials: ${t.pareto.map((p) => `#${p.trial}`).join(', ')}`],
    ['inference budget', t.inferenceBudget === null ? 'none' : `${usd(t.inferenceBudget)} per instance`],
    ['optimization budget', t.optimizationBudget === null ? 'none' : usd(t.optimizationBudget)],
    ['spent', t.end ? `${usd(t.end.spent)}; stopped: ${t.end.stopReason}` : `${usd(t.spend.at(-1)?.spent ?? 0)} so far (the run has no end line: killed, or still running)`],
    ['pick', picked ? `trial #${picked.trial}${t.end?.pickRule ? ` (${t.end.pickRule} of trial #${t.end.tunerBest})` : ''}` : 'none'],
    ['log', `${t.file} (started ${t.startedAt}${t.skippedLines > 0 ? `; ${t.skippedLines} torn lines skipped` : ''})`],
  ];
  return `<section id="summary">
<dl class="facts">${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>
</section>
<section>
<h2>Cost vs ${esc(metric)}</h2>
<p class="note">Every measured trial, with its 95% interval; the Pareto front (no trial is both cheaper and better) in orange, the pick as a green star, the inference budget as a dashed line.</p>
<div class="chart"><canvas id="scatter" role="img" aria-label="cost per instance against ${esc(metric)}, one point per trial"></canvas></div>
</section>
<section>
<h2>${esc(metric)} and spend over trials</h2>
<p class="note">Each trial's ${esc(metric)} on the rows it reached, the best so far, and what the tune had spent when each trial first reported.</p>
<div class="chart short"><canvas id="history" role="img" aria-label="${esc(metric)} and cumulative spend by trial"></canvas></div>
</section>
<section>
<h2>Trials</h2>
<p class="note">Click a column to sort.</p>
${trialTable(t, metric)}
</section>
<section>
<h2>Chosen config</h2>
${picked ? `<p class="note">Trial #${picked.trial}, as the log recorded it.</p><pre id="chosen-config">${esc(stringify({ ...picked.config }, { lineWidth: 0 }))}</pre>` : '<p>No config was picked.</p>'}
</section>`;
}

function trialTable(t: TuneReportData, metric: string): string {
  const front = new Set(t.pareto.map((p) => p.trial));
  const head = ['#', 'state', 'rows', metric, '95% CI', '$/instance', 'spent', 'config'];
  const types = ['num', 'text', 'num', 'num', 'num', 'num', 'num', 'text'];
  const rows = t.trials.map((x) => {
    const ci = ciOf(x);
    const cls = [front.has(x.trial) ? 'pareto' : '', x.trial === t.pick ? 'pick' : ''].filter(Boolean).join(' ');
    const cells: Array<[string | number | null, string]> = [
      [x.trial, `#${x.trial}${x.trial === t.pick ? ' ★' : ''}`],
      [x.state, x.state],
      [x.rows, `${x.rows}/${x.total_rows}`],
      [x.metric, fmt(x.metric)],
      [ci ? ci.low : null, ci ? `[${fmt(ci.low)}, ${fmt(ci.high)}]` : '–'],
      [x.inference_cost, x.inference_cost === null ? '–' : usd(x.inference_cost)],
      [x.cost, usd(x.cost)],
      [configText(x), configText(x)],
    ];
    return `<tr data-trial="${x.trial}"${cls ? ` class="${cls}"` : ''}>${cells.map(([v, text]) => `<td data-v="${esc(v === null ? '' : String(v))}">${esc(text)}</td>`).join('')}</tr>`;
  });
  return `<table id="trials" class="sortable"><thead><tr>${head.map((h, i) => `<th data-type="${types[i]}" tabindex="0">${esc(h)}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>`;
}

function testSection(tests: readonly TestResultsData[]): string {
  const blocks = tests.map((r, i) => {
    const failures = r.failures.length === 0 ? '<p>No instance failed.</p>' : `<table class="failures"><thead><tr><th>line</th><th>row id</th><th>why it failed</th></tr></thead><tbody>${r.failures.map((f) => `<tr><td>${f.line}</td><td>${esc(f.id ?? '')}</td><td>${esc(f.error)}</td></tr>`).join('')}</tbody></table>${r.failed > r.failures.length ? `<p class="note">… and ${r.failed - r.failures.length} more.</p>` : ''}`;
    return `<div class="test-run" id="test-${i}">
<h3>${esc(r.file)}</h3>
<dl class="facts"><dt>${esc(r.metric)}</dt><dd class="test-metric">${fmt(r.estimate)} <span class="ci">95% CI [${fmt(r.ci.low)}, ${fmt(r.ci.high)}]</span></dd><dt>instances</dt><dd>${r.instances}, ${r.failed} failed (left out of the metric)</dd><dt>inference cost</dt><dd>${esc(usd(r.inferenceCost))} per instance (list price)</dd></dl>
${failures}
</div>`;
  });
  return `<section id="tests">
<h2>Test runs</h2>
${blocks.join('\n')}
</section>`;
}

function ciOf(x: TrialSummary): { low: number; high: number } | null {
  return x.metric === null || x.se === null ? null : { low: x.metric - 1.959964 * x.se, high: x.metric + 1.959964 * x.se };
}

function configText(x: TrialSummary): string {
  return Object.entries(x.config)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v) : JSON.stringify(v)}`)
    .join(' ');
}

function fmt(v: number | null): string {
  return v === null || !Number.isFinite(v) ? '–' : Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3);
}

function usd(x: number): string {
  if (x === 0) return '$0';
  const abs = Math.abs(x);
  return `$${abs >= 1 ? x.toFixed(2) : abs >= 0.01 ? x.toFixed(4) : x.toPrecision(3)}`;
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** JSON safe inside a script element. */
function json(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
