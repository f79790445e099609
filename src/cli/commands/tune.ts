import { ConfigError, DEFAULT_CONFIG_FILE, EVAL_FAILURE_HINT, FAILURE_HINT, parsePickRule, runReport, runTune, type EngineEvent, type TuneEvent, type TuneOutcome, type TuneOverrides, type TrialSummary } from '../../index.js';
import { defineCommand, flag, type CliContext } from '../command.js';
import { colorsFor, terminalWidth, writeLine } from '../io.js';
import { evalSpecOf, numberFlag } from '../options.js';
import { COMMON_FLAGS, EVAL_FLAGS } from '../shared-flags.js';
import { createProgress, type Progress } from '../render/progress.js';
import { eventPrinter } from '../render/events.js';
import { printSandbox } from '../render/sandbox-line.js';
import { renderKeyValues, renderTable, usd } from '../render/table.js';
import { usageLogWarning } from '../render/usage-warning.js';
import { displayPath } from '../render/units.js';
import { reportLine } from './report.js';
import { tuneTradeOffLines } from '../render/trade-off-plot.js';

/**
 * The flags that override a key of the tune config: `--inference-budget` is `inference_budget:`
 * (the key is the flag's name in snake_case). A flag added here is an override, with no other edit.
 */
export const OVERRIDE_FLAGS = {
  data: flag.string('<file>', 'JSONL tuning data (overrides data:)'),
  metric: flag.string('<name>', 'metric to optimise (overrides metric:)'),
  mode: flag.string('<mode>', 'max or min (overrides mode:)'),
  inferenceBudget: flag.parsed('<usd>', 'USD per instance (overrides inference_budget:)', numberFlag('--inference-budget', { min: 0 })),
  optimizationBudget: flag.parsed('<usd>', 'USD of new spend for the whole search (overrides optimization_budget:)', numberFlag('--optimization-budget', { min: 0 })),
  numSamples: flag.parsed('<n>', 'max trials, -1 = until the budget is spent', numberFlag('--num-samples', { integer: true, min: -1 })),
  seed: COMMON_FLAGS.seed,
  searchSeed: flag.parsed('<n>', 'seed of the search itself', numberFlag('--search-seed', { integer: true, min: 0 })),
  concurrency: { ...COMMON_FLAGS.concurrency, help: 'requests in flight' },
  logFile: flag.string('<file>', 'trial log (JSONL)'),
  searcher: flag.string('<name>', 'default or random'),
  cachePathRoot: COMMON_FLAGS.cachePathRoot,
} as const;

/** `autotune tune config.yaml`: search configs under the budgets, print and save the best. */
export const tuneCommand = defineCommand({
  name: 'tune',
  description: 'search model, prompt, temperature/top_p, max_tokens and n under an inference and an optimization budget',
  args: [{ name: 'config', help: `tune YAML (default: ${DEFAULT_CONFIG_FILE} in the current directory; autotune init writes one)` }],
  flags: {
    config: flag.string('<file>', 'tune YAML, as a flag', { short: 'c' }),
    eval: { ...EVAL_FLAGS.eval, help: `${EVAL_FLAGS.eval.help} (overrides eval:)` },
    evalField: EVAL_FLAGS.evalField,
    ...OVERRIDE_FLAGS,
    output: flag.string('<file>', 'write the best config here (YAML for test/create --config)', { short: 'o' }),
    fresh: flag.switch('do not count the spend of earlier runs in the log (the cache is still used)'),
    pick: flag.list('<rule...>', 'which point of the cost–metric trade-off to save: best (default), or cheapest-within D (the cheapest config whose metric is within D of the best)'),
    report: flag.string('<file>', 'also write the HTML report of the tune here (see autotune report)'),
    top: flag.parsedWithDefault('<n>', 'trials to list', numberFlag('--top', { integer: true, min: 0 }), 8),
    json: COMMON_FLAGS.json,
  },
  examples: [
    ['autotune tune tune.example.yaml -o best.yaml', 'search the space of the file under its budgets; save the best config'],
    ['autotune tune tune.example.yaml --optimization-budget 0.2 --json', 'a smaller search, the result as one JSON object'],
    ['autotune tune tune.example.yaml --fresh --log-file tune-log.jsonl', 'ignore the spend of earlier runs; log every trial'],
    ['autotune tune tune.example.yaml -o cheap.yaml --pick cheapest-within 0.01', 'save the cheapest config within 0.01 of the best metric'],
  ],
  run: async ({ flags, args, ctx }) => {
    const { io } = ctx;
    const positional = args[0] as string | undefined;
    if (positional !== undefined && flags.config !== undefined) {
      throw new ConfigError(`give the config once: ${positional} or -c ${flags.config}`, { field: '--config' });
    }
    const pick = flags.pick ? parsePickRule(flags.pick) : undefined;
    const overrides: TuneOverrides = { eval: evalSpecOf(flags.eval, flags.evalField) };
    for (const name of Object.keys(OVERRIDE_FLAGS) as Array<keyof typeof OVERRIDE_FLAGS>) {
      overrides[name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) as keyof TuneOverrides] = flags[name];
    }
    const display = new TuneDisplay(ctx, Boolean(flags.json));
    const outcome = await runTune({
      configFile: positional ?? flags.config,
      overrides,
      output: flags.output,
      stdout: io.stdout,
      fresh: Boolean(flags.fresh),
      env: io.env,
      cwd: io.cwd,
      // tune makes thousands of calls: usage rows only, no request/response history
      usageLog: { command: 'tune', history: false, onError: usageLogWarning(ctx) },
      onEvent: (e) => display.onEvent(e),
      signal: io.signal,
      pick,
    }).finally(() => display.stop());
    // `--output -`: stdout carries the best config alone, the report goes to stderr
    const shown = flags.output === '-' ? { ...io, stdout: io.stderr } : io;
    if (flags.json) shown.stdout.write(`${JSON.stringify(jsonReport(outcome))}\n`);
    else printReport({ ...ctx, io: shown }, outcome, flags.top);
    // a diagnostic: on stderr, also with --json (where it is in the object too)
    if (flags.report) writeLine(io.stderr, reportLine(io, await runReport({ log: outcome.logFile, output: flags.report, cwd: io.cwd })), ctx.redact);
    const c = colorsFor(io, 'stderr');
    if (outcome.warning) writeLine(io.stderr, c.yellow(`warning: ${outcome.warning}`), ctx.redact);
    if (outcome.failure) {
      writeLine(io.stderr, c.red(`error: the tune stopped: ${outcome.failure}`), ctx.redact);
      writeLine(io.stderr, `  hint: ${outcome.failure.startsWith('the eval failed') ? EVAL_FAILURE_HINT : FAILURE_HINT}`);
    }
    return outcome.stopReason === 'interrupted' ? 130 : outcome.config && outcome.stopReason !== 'failures' ? 0 : 1;
  },
});

/** The progress bar and the warnings while the tune runs (stderr only). */
class TuneDisplay {
  readonly #bar: Progress;
  readonly #engine: (e: EngineEvent) => void;
  readonly #seenEmpty = new Set<number>();
  #rows = 0;
  #trials = 0;
  #best = '–';
  #budget = 0;
  #failed = 0;

  constructor(
    private readonly ctx: CliContext,
    json: boolean,
  ) {
    this.#bar = createProgress(ctx.io, {
      total: 1,
      label: 'tune',
      enabled: !json,
      fields: [
        { name: 'trials', label: 'trials' },
        { name: 'rows', label: 'rows' },
        { name: 'usd', label: 'spent' },
        { name: 'best', label: 'best' },
        { name: 'failed', label: 'failed' },
      ],
    });
    this.#engine = eventPrinter({ ...ctx, io: { ...ctx.io, stderr: this.#bar.stream } }, { retries: false });
  }

  onEvent(e: TuneEvent): void {
    const warn = colorsFor(this.ctx.io, 'stderr');
    if (e.type === 'engine') this.#engine(e.event);
    else if (e.type === 'sandbox') printSandbox({ ...this.ctx.io, stderr: this.#bar.stream }, e.sandbox);
    else if (e.type === 'resume' || e.type === 'log_lock') this.#say(warn.yellow(accountNote(e)));
    else if (e.type === 'start') {
      // the bar measures the optimization budget in percent (rows when there is none)
      this.#budget = e.optimizationBudget ?? 0;
      this.#bar.setTotal(this.#budget > 0 ? 100 : e.rows);
    } else if (e.type === 'row') {
      this.#rows++;
      this.#bar.update(this.#budget > 0 ? Math.min(100, Math.round((100 * e.spent) / this.#budget)) : this.#rows, { trials: this.#trials, rows: this.#rows, usd: usd(e.spent), best: this.#best, failed: this.#failed });
    } else if (e.type === 'trial') {
      this.#trials = Math.max(this.#trials, e.summary.trial + 1);
      const empty = e.summary.empty_answers;
      if (empty && !this.#seenEmpty.has(e.summary.trial)) {
        this.#seenEmpty.add(e.summary.trial);
        this.#say(warn.yellow(`warning: trial #${e.summary.trial}: ${empty.answers} of ${empty.samples} answers empty, cut off by the cap (${String(e.summary.config.model)}'s reasoning used it up): give it more max_tokens`));
      }
      // failures show as they happen, not only in the final table
      if (e.summary.state === 'failed') {
        this.#failed++;
        this.#say(warn.yellow(`warning: trial #${e.summary.trial} failed: ${e.summary.message ?? 'most of its rows failed'}`));
      }
    } else if (e.type === 'best') this.#best = `${e.metric.toFixed(3)} (#${e.trial}, ${e.rows} rows)`;
    else if (e.type === 'notice') this.#say(`note: ${e.message}`);
    else if (e.type === 'arm_failed') this.#say(warn.yellow(`warning: arm ${armLabel(e.arm)} dropped: ${e.reason}`));
  }

  stop(): void {
    this.#bar.stop();
  }

  #say(text: string): void {
    writeLine(this.#bar.stream, text, this.ctx.redact);
  }
}

/** What the run carries over from earlier runs of the same tune, and how to start from $0. */
function accountNote(e: Extract<TuneEvent, { type: 'resume' | 'log_lock' }>): string {
  if (e.type === 'log_lock') {
    const h = e.staleHolder;
    return `note: took over the lock of trial log ${e.log} from pid ${h.pid} on ${h.host} (started ${h.started}), which no longer runs`;
  }
  const when = e.lastTime ? `, last written ${e.lastTime}` : '';
  return `note: earlier runs of this tune spent ${usd(e.priorSpend)} (trial log ${e.log}${e.defaultLog ? ', the default under the cache root' : ''}${when}); it counts against optimization_budget. --fresh starts from $0 (the cache is still used)`;
}

/** The `--json` shape: exactly one object. */
function jsonReport(o: TuneOutcome): Record<string, unknown> {
  return {
    best_config: o.config,
    best_result: o.result,
    trials: o.trials.length,
    optimization_cost: o.optimizationCost,
    total_spend: o.totalSpend,
    stop_reason: o.stopReason,
    ...(o.estimatedSpend > 0 ? { estimated_spend: o.estimatedSpend } : {}),
    ...(o.failure ? { error: o.failure } : {}),
    ...(o.output ? { output: o.output } : {}),
    ...(o.partial ? { partial: true } : {}),
    ...(o.warning ? { warning: o.warning } : {}),
    ...(o.droppedArms && o.droppedArms.length > 0 ? { dropped_arms: o.droppedArms } : {}),
    pareto: o.pareto,
    ...(o.picked ? { pick: { rule: o.picked.rule, trial: o.best?.trial ?? null, tuner_best_trial: o.picked.tunerBest } } : {}),
  };
}

/** An arm as one line: `model=o4-mini prompt="…"`. */
function armLabel(arm: Record<string, unknown>): string {
  return Object.entries(arm)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v) : JSON.stringify(v)}`)
    .join(' ');
}

function printReport({ io, redact }: CliContext, o: TuneOutcome, top: number): void {
  const c = colorsFor(io);
  const fit = terminalWidth(io);
  const cfg = o.tuneConfig;
  if (o.config && o.best) {
    const title = o.picked ? `Picked config (${o.picked.rule} of trial #${o.picked.tunerBest}'s ${cfg.metric}: trial #${o.best.trial}` : `Best config (trial #${o.best.trial}`;
    writeLine(io.stdout, c.bold(`${title}, measured on ${o.best.rows} of ${o.best.total_rows} rows)`));
    writeLine(io.stdout, renderKeyValues(Object.entries(o.config).map(([k, v]) => [k, JSON.stringify(v)] as const), c, fit), redact);
    writeLine(io.stdout, '');
    const metrics: Array<readonly [string, string]> = [
      [cfg.metric, `${fmt(o.best.metric)}  (lower bound ${fmt(o.best.lcb === null ? null : cfg.mode === 'min' ? -o.best.lcb : o.best.lcb)})`],
      ...Object.entries(o.best.metrics)
        .filter(([k]) => k !== cfg.metric)
        .map(([k, v]) => [k, fmt(v)] as const),
      ['inference cost', `${usd(o.best.inference_cost ?? 0)} per instance${cfg.inferenceBudget ? ` (budget ${usd(cfg.inferenceBudget)})` : ''}`],
    ];
    writeLine(io.stdout, renderKeyValues(metrics, c, fit));
  } else {
    writeLine(io.stdout, c.red('No config was found within the inference budget.'));
  }
  writeLine(io.stdout, '');
  const shown = [...o.trials].sort(rankTrials).slice(0, top);
  const anyEmpty = shown.some((t) => t.empty_answers !== undefined);
  if (shown.length > 0) {
    writeLine(io.stdout, c.bold(`Top trials (${o.trials.length} in all)`));
    writeLine(
      io.stdout,
      renderTable(
        ['#', 'state', 'rows', cfg.metric, 'n', '$/instance', 'model', ...(anyEmpty ? ['empty'] : []), 'settings'],
        shown.map((t) => [
          String(t.trial), t.state, String(t.rows), fmt(t.metric), String(t.config.n ?? ''), t.inference_cost === null ? '–' : usd(t.inference_cost), String(t.config.model),
          // answers the cap cut off before any visible text (a reasoning model's reasoning used it up)
          ...(anyEmpty ? [t.empty_answers ? `${t.empty_answers.answers}/${t.empty_answers.samples}` : '0'] : []),
          settings(t),
        ]),
        c,
        // numbers are never cut; state, metric name, model and settings are, widest first
        { fit, cut: [1, 3, 6, 7] },
      ),
      redact,
    );
    writeLine(io.stdout, '');
  }
  // the trade-off at a glance, on a terminal only
  const plot = tuneTradeOffLines(o, io);
  if (plot.length > 0) writeLine(io.stdout, `${plot.join('\n')}\n`);
  if (o.droppedArms && o.droppedArms.length > 0) {
    writeLine(io.stdout, c.bold(`Dropped arms (${o.droppedArms.length}: their requests failed, never tried)`));
    writeLine(io.stdout, renderTable(['arm', 'why'], o.droppedArms.map((d) => [armLabel(d.arm), d.reason]), c), redact);
    writeLine(io.stdout, '');
  }
  const budget = cfg.optimizationBudget ? ` of ${usd(cfg.optimizationBudget)}` : '';
  const estimated = o.estimatedSpend > 0 ? ` (${usd(o.estimatedSpend)} of it estimated: a server's usage could not be trusted)` : '';
  writeLine(io.stdout, `spent ${usd(o.optimizationCost)} new${budget}${estimated}${o.totalSpend > o.optimizationCost ? ` (${usd(o.totalSpend)} with earlier runs)` : ''}; stopped: ${o.stopReason}`);
  // diagnostics on stderr: stdout carries the result only (the warning is printed by the action)
  if (o.output) writeLine(io.stderr, `${o.partial ? 'partial best config' : 'best config'} saved to ${displayPath(io.cwd, o.output)}`, redact);
}

function rankTrials(a: TrialSummary, b: TrialSummary): number {
  return b.rows - a.rows || (b.lcb ?? -Infinity) - (a.lcb ?? -Infinity) || a.trial - b.trial;
}

function settings(t: TrialSummary): string {
  const { model: _m, n: _n, prompt, messages, ...rest } = t.config as Record<string, unknown>;
  const bits = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
  const template = typeof prompt === 'string' ? prompt : messages ? JSON.stringify(messages) : '';
  return [...bits, template ? `prompt=${JSON.stringify(template.length > 40 ? `${template.slice(0, 37)}...` : template)}` : ''].filter(Boolean).join(' ');
}

function fmt(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3);
}
