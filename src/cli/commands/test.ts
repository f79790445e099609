import { runTest, type TestEvent, type TestReport } from '../../index.js';
import { defineCommand, flag, type CliContext } from '../command.js';
import { colorsFor, terminalWidth, writeLine, type CliIO } from '../io.js';
import { evalSpecOf, numberFlag } from '../options.js';
import { COMMON_FLAGS, EVAL_FLAGS, REQUEST_FLAGS, requestInputFromFlags } from '../shared-flags.js';
import { eventPrinter, usageLogWarning } from '../render/events.js';
import { createProgress, type Progress } from '../render/progress.js';
import { printSandbox } from '../render/sandbox-line.js';
import { renderKeyValues, renderTable, usd } from '../render/table.js';

/** Failures printed as they happen; the rest are counted in the summary. */
const SHOW_FAILURES = 10;

/** `autotune test`: evaluate a config on a dataset (the original's `Completion.test`). */
export const testCommand = defineCommand({
  name: 'test',
  description: 'evaluate a config on a dataset: aggregated metrics with 95% bootstrap CIs, cost per instance',
  flags: {
    ...REQUEST_FLAGS,
    data: flag.requiredString('<file>', 'JSONL dataset, one object per line (each row fills the {field}s of the prompt)'),
    config: flag.string('<file>', 'YAML config, e.g. the best config saved by tune (request params, eval, metric, agg_method)'),
    eval: { ...EVAL_FLAGS.eval, help: "eval overriding the config's: ./eval.mjs, builtin:answer_vote, or a built-in with options as JSON: '{\"builtin\": \"answer_vote\", \"field\": \"solution\"}'" },
    evalField: EVAL_FLAGS.evalField,
    agg: flag.string('<spec>', 'aggregation: avg, median, min, max, sum, or a module (./agg.mjs); default: the config\'s agg_method, else avg'),
    concurrency: COMMON_FLAGS.concurrency,
    cache: flag.negated('do not read the cache: request every row again (answers are still stored)'),
    limit: flag.parsed('<n>', 'test the first N rows only', numberFlag('--limit', { integer: true, min: 1 })),
    results: flag.string('<file>', 'write one JSON line per instance (row fields, responses, metrics, cost, paid, cached, error)'),
    json: flag.switch('print the summary as one JSON object on stdout'),
    ciSeed: flag.parsed('<n>', 'seed of the bootstrap confidence intervals (default 0)', numberFlag('--ci-seed', { integer: true })),
  },
  examples: [
    ['autotune test --config best.yaml --data test.jsonl', 'measure a config saved by tune on held-out rows'],
    ['autotune test --data test.jsonl --model gpt-4o-mini --prompt "{problem}" --eval builtin:answer_vote --limit 50', 'a config from flags alone, on the first 50 rows'],
    ['autotune test --config best.yaml --data test.jsonl --results results.jsonl --json', 'keep every answer; the summary as JSON'],
  ],
  run: async ({ flags, ctx }) => {
    const { io } = ctx;
    const display = new TestDisplay(ctx, Boolean(flags.json));
    let report: TestReport;
    try {
      report = await runTest({
        data: flags.data,
        ...requestInputFromFlags(flags),
        eval: evalSpecOf(flags.eval, flags.evalField),
        agg: flags.agg,
        concurrency: flags.concurrency,
        useCache: flags.cache,
        limit: flags.limit,
        resultsFile: flags.results,
        stdout: io.stdout,
        ci: { seed: flags.ciSeed ?? 0 },
        env: io.env,
        cwd: io.cwd,
        signal: io.signal,
        onEvent: (e) => display.onEvent(e),
        // test can make 100k calls: usage rows only, no request/response history
        run: { usageLog: { command: 'test', history: false, onError: usageLogWarning(ctx) } },
      });
    } finally {
      display.stop();
    }
    // `--results -`: stdout carries the results alone, the summary goes to stderr
    const shown = flags.results === '-' ? { ...io, stdout: io.stderr } : io;
    if (flags.json) shown.stdout.write(`${JSON.stringify(jsonSummary(report))}\n`);
    else printReport(shown, report);
    printEnding(ctx, report);
    return report.stopped === 'aborted' ? 130 : report.stopped || report.failed > 0 ? 1 : 0;
  },
});

/** The `--json` object: aggregated metrics, CIs as [low, high], counts and spend. */
export function jsonSummary(r: TestReport): Record<string, unknown> {
  return {
    metrics: r.metrics,
    ci: Object.fromEntries(Object.entries(r.ci).map(([k, v]) => [k, [v.low, v.high]])),
    instances: r.instances,
    failed: r.failed,
    cost: r.cost,
    ...(r.estimatedCost ? { estimated_cost: r.estimatedCost } : {}),
    cached: r.cached,
    ...(r.metric !== undefined ? { metric: r.metric } : {}),
    failures: r.failures,
    ...(r.stopped ? { stopped: r.stopped, total: r.total } : {}),
    ...(r.sandbox ? { sandbox: r.sandbox } : {}),
  };
}

// --- internal ---

/** Progress bar and warnings while the test runs (stderr only). */
class TestDisplay {
  #progress: Progress | undefined;
  #engine: ((e: Extract<TestEvent, { type: 'engine' }>['event']) => void) | undefined;
  #shown = 0;
  readonly io: CliIO;

  constructor(
    private readonly ctx: CliContext,
    private readonly json: boolean,
  ) {
    this.io = ctx.io;
  }

  onEvent(e: TestEvent): void {
    switch (e.type) {
      case 'start':
        this.#progress = createProgress(this.io, {
          total: e.total,
          label: 'test',
          enabled: !this.json,
          fields: [{ name: 'failed' }, { name: 'usd', label: 'spent', format: (v) => usd(Number(v)) }],
        });
        this.#engine = eventPrinter({ ...this.ctx, io: { ...this.io, stderr: this.#progress.stream } }, { retries: false });
        break;
      case 'progress':
        this.#progress?.update(e.done, { failed: e.failed, usd: e.paid });
        break;
      case 'instance_failed':
        if (this.#shown++ < SHOW_FAILURES) {
          const c = colorsFor(this.io, 'stderr');
          const f = e.failure;
          this.#log(c.yellow(`warning: instance ${f.index} (line ${f.line}): ${f.message}`));
        }
        break;
      case 'engine':
        this.#engine?.(e.event);
        break;
      case 'sandbox':
        printSandbox(this.io, e.sandbox);
        break;
    }
  }

  stop(): void {
    this.#progress?.stop();
  }

  #log(text: string): void {
    const line = this.ctx.redact(text);
    if (this.#progress) this.#progress.log(line);
    else writeLine(this.io.stderr, line);
  }
}

function printReport(io: CliIO, r: TestReport): void {
  const c = colorsFor(io);
  const rows = Object.entries(r.metrics)
    .filter(([name]) => name !== 'inference_cost' || r.ci[name] !== undefined)
    .map(([name, value]) => {
      const ci = r.ci[name];
      return [name === r.metric ? `${name} *` : name, num(value), ci ? `[${num(ci.low)}, ${num(ci.high)}]` : ''];
    });
  if (rows.length > 0) writeLine(io.stdout, renderTable(['metric', 'value', '95% CI'], rows, c, { fit: terminalWidth(io) }));
  else writeLine(io.stdout, c.yellow('no metrics: every instance failed'));
  if (r.metric !== undefined && r.metric in r.metrics) writeLine(io.stdout, c.dim(`* the config's optimization metric${r.mode ? ` (${r.mode})` : ''}`));
  else if (r.metric !== undefined) writeLine(io.stdout, c.yellow(`the config's metric ${r.metric} is not among the eval's metrics`));
  writeLine(io.stdout, '');
  const pairs: Array<[string, string]> = [
    ['inference cost', `${usd(r.metrics.inference_cost ?? 0)} per instance (list price)`],
    ['instances', `${r.instances}${r.stopped ? ` of ${r.total}` : ''}, ${r.failed} failed`],
    ['spent now', `${usd(r.cost)}${r.estimatedCost ? `, ${usd(r.estimatedCost)} of it estimated` : ''} (${r.cached} of ${r.instances} instances from the cache; ${usd(r.listCost)} at list price)`],
  ];
  if (r.resultsFile) pairs.push(['results', r.resultsFile]);
  writeLine(io.stdout, renderKeyValues(pairs, c, terminalWidth(io)));
}

/** Failures and early stops, on stderr, after the summary. */
function printEnding({ io, redact }: CliContext, r: TestReport): void {
  const c = colorsFor(io, 'stderr');
  if (r.failed > 0) {
    const listed = r.failures.slice(0, 20).map((f) => `${f.index} (line ${f.line})`).join(', ');
    const more = r.failed > 20 ? `, … ${r.failed - 20} more` : '';
    writeLine(io.stderr, c.red(`${r.failed} of ${r.instances} instances failed and are left out of the metrics: ${listed}${more}`), redact);
    writeLine(io.stderr, `  ${r.resultsFile ? `each has an "error" in ${r.resultsFile}` : 'pass --results FILE to keep every error'}${r.failed > SHOW_FAILURES ? `; the first ${SHOW_FAILURES} are shown above` : '; see the warnings above'}`, redact);
  }
  if (r.stopped === 'aborted') {
    writeLine(io.stderr, c.yellow(`interrupted: ${r.instances} of ${r.total} instances ran${r.resultsFile ? `; ${r.resultsFile} holds those` : ''}`), redact);
  } else if (r.stopped === 'budget') {
    writeLine(io.stderr, c.yellow(`stopped: the budget refused a request after ${r.instances} of ${r.total} instances`), redact);
  }
}

function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 1000 ? x.toFixed(1) : x.toFixed(4);
}
