import type { Command } from 'commander';
import type { EvalSpec } from '../../evaluate/eval-types.js';
import { runTest, type TestEvent, type TestReport } from '../../index.js';
import { examples } from '../help.js';
import { colorsFor, envRedactor, terminalWidth, writeLine, type CliIO } from '../io.js';
import { evalFlag, evalSpecOf, numberFlag } from '../options.js';
import { addRequestOptions, requestParamsFromFlags, type RequestFlags } from '../request-flags.js';
import { eventPrinter, usageLogWarning } from '../render/events.js';
import { createProgress, type Progress } from '../render/progress.js';
import { printSandbox } from '../render/sandbox-line.js';
import { renderKeyValues, renderTable, usd } from '../render/table.js';

interface TestFlags extends RequestFlags {
  data: string;
  config?: string;
  eval?: EvalSpec;
  evalField?: string;
  agg?: string;
  configList?: string;
  seed?: string;
  cachePathRoot?: string;
  concurrency?: number;
  cache: boolean;
  limit?: number;
  results?: string;
  json?: boolean;
  ciSeed?: number;
}

/** Failures printed as they happen; the rest are counted in the summary. */
const SHOW_FAILURES = 10;

/** `autotune test`: evaluate a config on a dataset (the original's `Completion.test`). */
export function registerTest(program: Command, io: CliIO, setExit: (code: number) => void): void {
  addRequestOptions(program.command('test').description('evaluate a config on a dataset: aggregated metrics with 95% bootstrap CIs, cost per instance'))
    .requiredOption('--data <file>', '(required) JSONL dataset, one object per line (each row fills the {field}s of the prompt)')
    .option('--config <file>', 'YAML config, e.g. the best config saved by tune (request params, eval, metric, agg_method)')
    .option('--eval <spec>', "eval overriding the config's: ./eval.mjs, builtin:answer_vote, or a built-in with options as JSON: '{\"builtin\": \"answer_vote\", \"field\": \"solution\"}'", evalFlag)
    .option('--eval-field <field>', 'row field holding the expected answer, for a built-in --eval')
    .option('--agg <spec>', 'aggregation: avg, median, min, max, sum, or a module (./agg.mjs); default: the config\'s agg_method, else avg')
    .option('--config-list <file>', 'JSON/YAML list of endpoints tried in order')
    .option('--seed <seed>', 'cache seed (default 41)')
    .option('--cache-path-root <dir>', 'cache root (default .cache)')
    .option('--concurrency <n>', 'requests in flight at once (default 8)', numberFlag('--concurrency', { integer: true, min: 1 }))
    .option('--no-cache', 'do not read the cache: request every row again (answers are still stored)')
    .option('--limit <n>', 'test the first N rows only', numberFlag('--limit', { integer: true, min: 1 }))
    .option('--results <file>', 'write one JSON line per instance (row fields, responses, metrics, cost, paid, cached, error)')
    .option('--json', 'print the summary as one JSON object on stdout')
    .option('--ci-seed <n>', 'seed of the bootstrap confidence intervals (default 0)', numberFlag('--ci-seed', { integer: true }))
    .addHelpText(
      'after',
      examples([
        ['autotune test --config best.yaml --data test.jsonl', 'measure a config saved by tune on held-out rows'],
        ['autotune test --data test.jsonl --model gpt-4o-mini --prompt "{problem}" --eval builtin:answer_vote --limit 50', 'a config from flags alone, on the first 50 rows'],
        ['autotune test --config best.yaml --data test.jsonl --results results.jsonl --json', 'keep every answer; the summary as JSON'],
      ]),
    )
    .action(async (flags: TestFlags) => {
      const display = new TestDisplay(io, Boolean(flags.json));
      let report: TestReport;
      try {
        report = await runTest({
          data: flags.data,
          configFile: flags.config,
          params: requestParamsFromFlags(flags),
          messagesFile: flags.messages,
          eval: evalSpecOf(flags.eval, flags.evalField),
          agg: flags.agg,
          configListFile: flags.configList,
          seed: flags.seed,
          cachePathRoot: flags.cachePathRoot,
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
          run: { usageLog: { command: 'test', history: false, onError: usageLogWarning(io) } },
        });
      } finally {
        display.stop();
      }
      // `--results -`: stdout carries the results alone, the summary goes to stderr
      const shown = flags.results === '-' ? { ...io, stdout: io.stderr } : io;
      if (flags.json) shown.stdout.write(`${JSON.stringify(jsonSummary(report))}\n`);
      else printReport(shown, report);
      printEnding(io, report);
      setExit(report.stopped === 'aborted' ? 130 : report.stopped || report.failed > 0 ? 1 : 0);
    });
}

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
  readonly #redact: (s: string) => string;

  constructor(
    private readonly io: CliIO,
    private readonly json: boolean,
  ) {
    this.#redact = envRedactor(io.env);
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
        this.#engine = eventPrinter({ ...this.io, stderr: this.#progress.stream }, { retries: false });
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
    const line = this.#redact(text);
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
function printEnding(io: CliIO, r: TestReport): void {
  const c = colorsFor(io, 'stderr');
  const redact = envRedactor(io.env);
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
