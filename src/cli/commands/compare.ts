import { runCompare, type CompareReport, type TestEvent } from '../../index.js';
import { defineCommand, flag, type CliContext } from '../command.js';
import { colorsFor, terminalWidth, writeLine } from '../io.js';
import { numberFlag } from '../options.js';
import { createProgress, type Progress } from '../render/progress.js';
import { renderKeyValues, renderTable, usd } from '../render/table.js';
import { usageLogWarning } from '../render/usage-warning.js';
import { COMMON_FLAGS } from '../shared-flags.js';

/** `autotune compare a.yaml b.yaml --data test.jsonl`: two configs on the same rows, paired. */
export const compareCommand = defineCommand({
  name: 'compare',
  description: 'run two configs on the same rows and compare them: paired difference of the metric (95% CI, p-value) and of the cost',
  args: [
    { name: 'a', help: 'first config (YAML, e.g. saved by tune)', required: true },
    { name: 'b', help: 'second config', required: true },
  ],
  flags: {
    data: flag.requiredString('<file>', 'JSONL dataset both configs run on'),
    metric: flag.string('<name>', 'metric to compare (default: the one the configs name)'),
    seed: { ...COMMON_FLAGS.seed, help: "cache seed (default: each config's, else 41)" },
    cachePathRoot: COMMON_FLAGS.cachePathRoot,
    concurrency: COMMON_FLAGS.concurrency,
    limit: flag.parsed('<n>', 'compare on the first N rows only', numberFlag('--limit', { integer: true, min: 1 })),
    ciSeed: flag.parsed('<n>', 'seed of the bootstrap (default 0)', numberFlag('--ci-seed', { integer: true })),
    json: COMMON_FLAGS.json,
  },
  examples: [
    ['autotune compare best.yaml baseline.yaml --data test.jsonl', 'is the tuned config really better, and what does it save per row?'],
    ['autotune compare a.yaml b.yaml --data test.jsonl --json', 'the same as one JSON object'],
  ],
  run: async ({ flags, args, ctx }) => {
    const { io } = ctx;
    const bars: Partial<Record<'a' | 'b', Progress>> = {};
    const onEvent = (which: 'a' | 'b', e: TestEvent): void => {
      if (e.type === 'start') {
        bars.a?.stop();
        bars[which] = createProgress(io, { total: e.total, label: `compare ${which}`, enabled: !flags.json, fields: [{ name: 'failed' }, { name: 'usd', label: 'spent', format: (v) => usd(Number(v)) }] });
      } else if (e.type === 'progress') bars[which]?.update(e.done, { failed: e.failed, usd: e.paid });
    };
    let report: CompareReport;
    try {
      report = await runCompare({
        configA: args[0] as string,
        configB: args[1] as string,
        data: flags.data,
        metric: flags.metric,
        seed: flags.seed,
        cachePathRoot: flags.cachePathRoot,
        concurrency: flags.concurrency,
        limit: flags.limit,
        ciSeed: flags.ciSeed,
        env: io.env,
        cwd: io.cwd,
        signal: io.signal,
        onEvent,
        run: { usageLog: { command: 'test', history: false, onError: usageLogWarning(ctx) } },
      });
    } finally {
      bars.a?.stop();
      bars.b?.stop();
    }
    if (flags.json) io.stdout.write(`${JSON.stringify(compareJson(report))}\n`);
    else printCompare(ctx, report);
    const failed = report.a.failed + report.b.failed;
    if (failed > 0) writeLine(io.stderr, colorsFor(io, 'stderr').yellow(`warning: ${failed} instances failed (${report.a.failed} of a, ${report.b.failed} of b); the differences are over the ${report.rows} rows both answered`), ctx.redact);
    return 0;
  },
});

/** The `--json` object: both sides, and the paired differences a − b with [low, high]. */
export function compareJson(r: CompareReport): Record<string, unknown> {
  const diff = (d: CompareReport['difference']): Record<string, unknown> => ({
    estimate: d.estimate,
    ci: [d.low, d.high],
    p_value: d.pValue,
    method: d.method,
    ...(d.discordant ? { only_a: d.discordant.aOnly, only_b: d.discordant.bOnly } : {}),
  });
  return {
    metric: r.metric,
    ...(r.mode ? { mode: r.mode } : {}),
    rows: r.rows,
    a: r.a,
    b: r.b,
    difference: diff(r.difference),
    cost_difference: { estimate: r.cost_difference.estimate, ci: [r.cost_difference.low, r.cost_difference.high] },
    better: r.better,
    paid: r.a.paid + r.b.paid,
  };
}

function printCompare({ io, redact }: CliContext, r: CompareReport): void {
  const c = colorsFor(io);
  const fit = terminalWidth(io);
  writeLine(
    io.stdout,
    renderTable(
      ['', 'config', r.metric, '$/instance', 'spent now', 'cached'],
      (['a', 'b'] as const).map((k) => [k, r[k].config, num(r[k].metric), usd(r[k].inference_cost), usd(r[k].paid), String(r[k].cached)]),
      c,
      { fit, cut: [1] },
    ),
    redact,
  );
  writeLine(io.stdout, '');
  const d = r.difference;
  const test = d.method === 'mcnemar' ? `McNemar's exact test; ${d.discordant?.aOnly ?? 0} rows only a got, ${d.discordant?.bOnly ?? 0} only b` : 'paired bootstrap';
  const verdict = r.better ? c.bold(`${r.better} is better`) : 'no clear difference (the interval covers 0)';
  writeLine(
    io.stdout,
    renderKeyValues(
      [
        [`${r.metric} a − b`, `${signed(d.estimate)}  95% CI [${signed(d.low)}, ${signed(d.high)}]  p = ${pValue(d.pValue)}  (${test})`],
        ['cost a − b', `${signedUsd(r.cost_difference.estimate)} per instance  95% CI [${signedUsd(r.cost_difference.low)}, ${signedUsd(r.cost_difference.high)}]`],
        ['rows', `${r.rows} paired${r.rows < r.total ? ` of ${r.total} (rows either failed on are left out)` : ''}`],
        ['verdict', verdict],
      ],
      c,
      fit,
    ),
    redact,
  );
}

function num(x: number): string {
  return Number.isFinite(x) ? x.toFixed(4) : String(x);
}

function signed(x: number): string {
  return Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(4)}` : String(x);
}

function signedUsd(x: number): string {
  return `${x >= 0 ? '+' : '−'}${usd(Math.abs(x))}`;
}

function pValue(p: number): string {
  return p < 0.0001 ? '< 0.0001' : p.toFixed(4);
}
