import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_CONFIG_FILE } from '../../config/init-config.js';
import { ConfigError } from '../../errors.js';
import type { EvalSpec } from '../../evaluate/eval-types.js';
import { EVAL_FAILURE_HINT, FAILURE_HINT, parsePickRule, runReport, runTune, type TuneEvent, type TuneOutcome, type TrialSummary } from '../../index.js';
import { examples } from '../help.js';
import { colorsFor, envRedactor, terminalWidth, writeLine, type CliIO } from '../io.js';
import { evalFlag, evalSpecOf, numberFlag } from '../options.js';
import { createProgress } from '../render/progress.js';
import { eventPrinter } from '../render/events.js';
import { printSandbox } from '../render/sandbox-line.js';
import { renderKeyValues, renderTable, usd } from '../render/table.js';
import { usageLogWarning } from '../render/usage-warning.js';
import { displayPath } from '../render/units.js';
import { reportLine } from './report.js';
import { tuneTradeOffLines } from '../render/trade-off-plot.js';

interface TuneFlags {
  config?: string;
  data?: string;
  eval?: EvalSpec;
  evalField?: string;
  metric?: string;
  mode?: string;
  inferenceBudget?: number;
  optimizationBudget?: number;
  numSamples?: number;
  seed?: string;
  searchSeed?: number;
  concurrency?: number;
  logFile?: string;
  searcher?: string;
  cachePathRoot?: string;
  output?: string;
  fresh?: boolean;
  pick?: string[];
  report?: string;
  json?: boolean;
  top: number;
}

/** `autotune tune config.yaml`: search configs under the budgets, print and save the best. */
export function registerTune(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('tune')
    .description('search model, prompt, temperature/top_p, max_tokens and n under an inference and an optimization budget')
    .argument('[config]', `tune YAML (default: ${DEFAULT_CONFIG_FILE} in the current directory; autotune init writes one)`)
    .option('-c, --config <file>', 'tune YAML, as a flag')
    .option('--data <file>', 'JSONL tuning data (overrides data:)')
    .option('--eval <spec>', 'eval module, builtin:NAME, or a built-in with options as JSON: \'{"builtin": "answer_vote", "field": "solution"}\' (overrides eval:)', evalFlag)
    .option('--eval-field <field>', "row field holding the expected answer, for a built-in --eval")
    .option('--metric <name>', 'metric to optimise (overrides metric:)')
    .option('--mode <mode>', 'max or min (overrides mode:)')
    .option('--inference-budget <usd>', 'USD per instance (overrides inference_budget:)', numberFlag('--inference-budget', { min: 0 }))
    .option('--optimization-budget <usd>', 'USD of new spend for the whole search (overrides optimization_budget:)', numberFlag('--optimization-budget', { min: 0 }))
    .option('--num-samples <n>', 'max trials, -1 = until the budget is spent', numberFlag('--num-samples', { integer: true, min: -1 }))
    .option('--seed <seed>', 'cache seed (default 41)')
    .option('--search-seed <n>', 'seed of the search itself', numberFlag('--search-seed', { integer: true, min: 0 }))
    .option('--concurrency <n>', 'requests in flight', numberFlag('--concurrency', { integer: true, min: 1 }))
    .option('--log-file <file>', 'trial log (JSONL)')
    .option('--searcher <name>', 'default or random')
    .option('--cache-path-root <dir>', 'cache root (default .cache)')
    .option('-o, --output <file>', 'write the best config here (YAML for test/create --config)')
    .option('--fresh', 'do not count the spend of earlier runs in the log (the cache is still used)')
    .option('--pick <rule...>', 'which point of the cost–metric trade-off to save: best (default), or cheapest-within D (the cheapest config whose metric is within D of the best)')
    .option('--report <file>', 'also write the HTML report of the tune here (see autotune report)')
    .option('--top <n>', 'trials to list', numberFlag('--top', { integer: true, min: 0 }), 8)
    .option('--json', 'print one JSON object on stdout')
    .addHelpText(
      'after',
      examples([
        ['autotune tune tune.example.yaml -o best.yaml', 'search the space of the file under its budgets; save the best config'],
        ['autotune tune tune.example.yaml --optimization-budget 0.2 --json', 'a smaller search, the result as one JSON object'],
        ['autotune tune tune.example.yaml --fresh --log-file tune-log.jsonl', 'ignore the spend of earlier runs; log every trial'],
        ['autotune tune tune.example.yaml -o cheap.yaml --pick cheapest-within 0.01', 'save the cheapest config within 0.01 of the best metric'],
      ]),
    )
    .action(async (positional: string | undefined, flags: TuneFlags) => {
      const configFile = configFileOf(positional, flags.config, io.cwd);
      const pick = flags.pick ? parsePickRule(flags.pick) : undefined;
      const overrides = {
        data: flags.data,
        eval: evalSpecOf(flags.eval, flags.evalField),
        metric: flags.metric,
        mode: flags.mode,
        inference_budget: flags.inferenceBudget,
        optimization_budget: flags.optimizationBudget,
        num_samples: flags.numSamples,
        seed: flags.seed,
        search_seed: flags.searchSeed,
        concurrency: flags.concurrency,
        log_file: flags.logFile,
        searcher: flags.searcher,
        cache_path_root: flags.cachePathRoot,
      };
      const bar = createProgress(io, {
        total: 1,
        label: 'tune',
        enabled: !flags.json,
        fields: [
          { name: 'trials', label: 'trials' },
          { name: 'rows', label: 'rows' },
          { name: 'usd', label: 'spent' },
          { name: 'best', label: 'best' },
          { name: 'failed', label: 'failed' },
        ],
      });
      const printEngine = eventPrinter({ ...io, stderr: bar.stream }, { retries: false });
      let rows = 0;
      let trials = 0;
      let best = '–';
      let budget = 0;
      let failed = 0;
      const emptyReported = new Set<number>();
      const warn = colorsFor(io, 'stderr');
      const onEvent = (e: TuneEvent): void => {
        if (e.type === 'engine') printEngine(e.event);
        else if (e.type === 'sandbox') printSandbox({ ...io, stderr: bar.stream }, e.sandbox);
        else if (e.type === 'resume' || e.type === 'log_lock') writeLine(bar.stream, warn.yellow(accountNote(e)), envRedactor(io.env));
        else if (e.type === 'start') {
          // the bar measures the optimization budget in percent (rows when there is none)
          budget = e.optimizationBudget ?? 0;
          bar.setTotal(budget > 0 ? 100 : e.rows);
        } else if (e.type === 'row') {
          rows++;
          bar.update(budget > 0 ? Math.min(100, Math.round((100 * e.spent) / budget)) : rows, { trials, rows, usd: usd(e.spent), best, failed });
        } else if (e.type === 'trial') {
          trials = Math.max(trials, e.summary.trial + 1);
          const empty = e.summary.empty_answers;
          if (empty && !emptyReported.has(e.summary.trial)) {
            emptyReported.add(e.summary.trial);
            writeLine(bar.stream, warn.yellow(`warning: trial #${e.summary.trial}: ${empty.answers} of ${empty.samples} answers empty, cut off by the cap (${String(e.summary.config.model)}'s reasoning used it up): give it more max_tokens`), envRedactor(io.env));
          }
          // failures show as they happen, not only in the final table
          if (e.summary.state === 'failed') {
            failed++;
            writeLine(bar.stream, warn.yellow(`warning: trial #${e.summary.trial} failed: ${e.summary.message ?? 'most of its rows failed'}`), envRedactor(io.env));
          }
        }
        else if (e.type === 'best') best = `${e.metric.toFixed(3)} (#${e.trial}, ${e.rows} rows)`;
        else if (e.type === 'notice') writeLine(bar.stream, `note: ${e.message}`, envRedactor(io.env));
        else if (e.type === 'arm_failed') {
          writeLine(bar.stream, warn.yellow(`warning: arm ${armLabel(e.arm)} dropped: ${e.reason}`), envRedactor(io.env));
        }
      };
      const outcome = await runTune({
        configFile,
        overrides,
        output: flags.output,
        stdout: io.stdout,
        fresh: Boolean(flags.fresh),
        env: io.env,
        cwd: io.cwd,
        // tune makes thousands of calls: usage rows only, no request/response history
        usageLog: { command: 'tune', history: false, onError: usageLogWarning(io) },
        onEvent,
        signal: io.signal,
        pick,
      }).finally(() => bar.stop());
      // `--output -`: stdout carries the best config alone, the report goes to stderr
      const shown = flags.output === '-' ? { ...io, stdout: io.stderr } : io;
      if (flags.json) shown.stdout.write(`${JSON.stringify(jsonReport(outcome))}
`);
      else printReport(shown, outcome, flags.top);
      // a diagnostic: on stderr, also with --json (where it is in the object too)
      if (flags.report) writeLine(io.stderr, reportLine(io, await runReport({ log: outcome.logFile, output: flags.report, cwd: io.cwd })), envRedactor(io.env));
      if (outcome.warning) writeLine(io.stderr, colorsFor(io, 'stderr').yellow(`warning: ${outcome.warning}`), envRedactor(io.env));
      if (outcome.failure) {
        const c = colorsFor(io, 'stderr');
        writeLine(io.stderr, c.red(`error: the tune stopped: ${outcome.failure}`), envRedactor(io.env));
        writeLine(io.stderr, `  hint: ${outcome.failure.startsWith('the eval failed') ? EVAL_FAILURE_HINT : FAILURE_HINT}`);
      }
      setExit(outcome.stopReason === 'interrupted' ? 130 : outcome.config && outcome.stopReason !== 'failures' ? 0 : 1);
    });
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

/**
 * The config to run: the argument or `-c` (not both), else `autotune.yaml` in the working
 * directory (as promptfoo finds promptfooconfig.yaml), else a usage error saying how to get one.
 */
function configFileOf(positional: string | undefined, flag: string | undefined, cwd: string): string {
  if (positional !== undefined && flag !== undefined) {
    throw new ConfigError(`give the config once: ${positional} or -c ${flag}`, { field: '--config' });
  }
  const given = positional ?? flag;
  if (given !== undefined) return given;
  if (existsSync(join(cwd, DEFAULT_CONFIG_FILE))) return DEFAULT_CONFIG_FILE;
  throw new ConfigError(`no config given and no ${DEFAULT_CONFIG_FILE} in ${cwd}`, {
    field: '--config',
    hint: `autotune init writes a commented ${DEFAULT_CONFIG_FILE}; or give one: autotune tune tune.yaml (or -c tune.yaml)`,
  });
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

function printReport(io: CliIO, o: TuneOutcome, top: number): void {
  const c = colorsFor(io);
  const redact = envRedactor(io.env);
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
