import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { checkEndpoints, endpointIdentity, resolveEndpoint } from '../completion/config-list.js';
import type { EndpointIdentity } from '../completion/build-request.js';
import type { Env } from '../completion/env-refs.js';
import { checkTemplate, templateFields } from '../completion/template.js';
import { loadDataset } from '../config/load-dataset.js';
import { DEFAULT_CONFIG_FILE } from '../config/init-config.js';
import { runSettings, type RequestRunSettings } from '../config/request-config.js';
import { openRunContext, type RunOptions } from '../context.js';
import { loadEval } from '../evaluate/load-eval.js';
import { runEval } from '../evaluate/run-eval.js';
import { checkEvalFields } from '../evaluate/eval-fields.js';
import type { EvalFunction } from '../evaluate/eval-types.js';
import type { UsageSink } from '../usage/usage-record.js';
import { hashOf } from '../util/canonical-json.js';
import { bestConfigDocument, bestConfigText, partialPath } from '../report/best-config.js';
import { writeOutputFile, writesInPlace } from './output-file.js';
import { loadTuneConfig, type TuneConfig, type TuneOverrides } from './tune-config.js';
import type { TuneEvent } from '../tune/tune-events.js';
import { TrialLogBooks, TuneLog, priorAccount } from '../store/trial-log.js';
import { lockTrialLog, type LogLock } from '../store/log-lock.js';
import { priceFor } from '../tune/tune-run.js';
import { tune, type TuneResult } from '../tune/tuner.js';
import { paretoFront, type ParetoPoint } from '../report/pareto.js';
import { applyPickRule, describePickRule, type PickRule } from '../report/pick-rule.js';

/** Inputs of `autotune tune`, already parsed from flags. */
export interface TuneInput {
  /** The tune YAML; default: `autotune.yaml` in `cwd` (autotune init writes one). */
  configFile?: string | undefined;
  overrides?: TuneOverrides;
  /** Write the best config here (YAML): a regular file atomically, a device or FIFO in place, `-` to `stdout` (see OutputFile). */
  output?: string | undefined;
  /** Where `output: '-'` writes (the CLI passes its standard output). */
  stdout?: NodeJS.WritableStream | undefined;
  /** Ignore earlier runs in the log: do not count their spend (the cache is still used). */
  fresh?: boolean;
  env: Env;
  cwd: string;
  usage?: UsageSink | undefined;
  /** Also log usage to `{cache_path_root}/usage.sqlite` (what the CLI does). */
  usageLog?: RunOptions['usageLog'];
  onEvent?: (e: TuneEvent) => void;
  signal?: AbortSignal | undefined;
  /** Hand back another point of the trade-off than the tuner's pick (e.g. the cheapest within 0.01 of it). */
  pick?: PickRule | undefined;
}

/** What `runTune` returns: the tuner's result plus the validated config it ran. */
export interface TuneOutcome extends TuneResult {
  tuneConfig: TuneConfig;
  output: string | undefined;
  /** Of the new spend, USD counted by autotune because a server's usage could not be trusted. */
  estimatedSpend: number;
  /** The pick was measured on part of the data: `output` is `NAME.partial.yaml`, not `--output`. */
  partial?: boolean;
  /** The trial log of the run (what `autotune report` reads). */
  logFile: string;
  /** The measured trials no other beats on both metric and cost per instance, cheapest first. */
  pareto: ParetoPoint[];
  /** Set when `pick` chose another trial than the tuner: the rule, and the trial the tuner had picked. */
  picked?: { rule: string; tunerBest: number };
}

/**
 * Run a tune the way `autotune tune config.yaml` does: validate everything before spending a
 * cent (config, data and template fields, template syntax, the eval's row fields, eval,
 * metric, prices, endpoints), lock the trial log for the run, resume the spend of earlier runs
 * of the same tune from it, tune, and save the best config (a partial pick beside it).
 */
export async function runTune(input: TuneInput): Promise<TuneOutcome> {
  const cfg = loadTuneConfig(resolve(input.cwd, tuneConfigFile(input)), input.overrides ?? {}, input.cwd);
  const fields = [...new Set(cfg.space.templates().flatMap((t) => templateFields(t)))];
  const { rows, lines } = await loadDataset(cfg.data, { requiredFields: cfg.allowFormatStrTemplate ? fields : [], ...(cfg.maxLineBytes ? { maxLineBytes: cfg.maxLineBytes } : {}) });
  const evalLine = cfg.source?.lineOf(['eval']);
  const evaluate = await loadEval(cfg.eval as never, { baseDir: cfg.baseDir, ...(cfg.file ? { file: cfg.file } : {}), ...(evalLine ? { line: evalLine } : {}), field: 'eval' });
  checkPrices(cfg);
  if (cfg.allowFormatStrTemplate) checkTemplates(cfg);
  checkEvalFields(evaluate, rows.map((row, i) => ({ row, line: lines[i] ?? i + 1 })), cfg.data, fields);
  await checkMetric(cfg, evaluate, rows[0] as Record<string, unknown>);
  const settings = runSettings({
    env: input.env,
    cwd: input.cwd,
    cachePathRoot: cfg.cachePathRoot,
    seed: cfg.seed,
    prices: cfg.prices,
    configList: cfg.configList,
    requestTimeout: cfg.requestTimeout,
    retryTimeout: cfg.retryTimeout,
    maxResponseBytes: cfg.maxResponseBytes,
  });
  const { configList, cachePathRoot } = settings;
  checkEndpoints(configList, input.env);

  const identity = tuneIdentity(cfg, { cachePathRoot, endpoints: configList.map((e, i) => endpointIdentity(resolveEndpoint(e, i, input.env))) });
  // every tune keeps a log (a default one under the cache root), so a kill -9 and a resume
  // are accounted the same way everywhere; it is locked for the whole run
  const logFile = cfg.logFile ?? defaultLogFile(cachePathRoot, identity);
  const lock = lockTrialLog(logFile);
  try {
    return await runLocked(input, cfg, { rows, evaluate, settings, identity, logFile, lock });
  } finally {
    lock.release();
  }
}

/**
 * The config to run: the one given, else `autotune.yaml` in the working directory (as promptfoo
 * finds promptfooconfig.yaml), else an error saying how to get one.
 */
function tuneConfigFile(input: TuneInput): string {
  if (input.configFile !== undefined) return input.configFile;
  if (existsSync(join(input.cwd, DEFAULT_CONFIG_FILE))) return DEFAULT_CONFIG_FILE;
  throw new ConfigError(`no config given and no ${DEFAULT_CONFIG_FILE} in ${input.cwd}`, {
    field: '--config',
    hint: `autotune init writes a commented ${DEFAULT_CONFIG_FILE}; or give one: autotune tune tune.yaml (or -c tune.yaml)`,
  });
}

/** The default trial log of a tune: `{cache_path_root}/tunes/{identity}.jsonl`. */
export function defaultLogFile(cachePathRoot: string, identity: string): string {
  return join(cachePathRoot, 'tunes', `${identity}.jsonl`);
}

interface Prepared {
  rows: Record<string, unknown>[];
  evaluate: EvalFunction;
  settings: RequestRunSettings;
  identity: string;
  logFile: string;
  lock: LogLock;
}

async function runLocked(input: TuneInput, cfg: TuneConfig, p: Prepared): Promise<TuneOutcome> {
  const { rows, evaluate, identity, logFile } = p;
  const { configList } = p.settings;
  const emit = input.onEvent ?? (() => undefined);
  if (p.lock.tookOverFrom) emit({ type: 'log_lock', log: logFile, staleHolder: p.lock.tookOverFrom });
  const account = input.fresh ? { spent: 0, lastTime: undefined } : priorAccount(logFile, identity);
  const prior = account.spent;
  if (prior > 0) emit({ type: 'resume', log: logFile, priorSpend: prior, lastTime: account.lastTime, defaultLog: cfg.logFile === undefined });
  // the log file is created with its first line (the start line goes first): a run that fails
  // before it does anything leaves no log behind
  const start = { type: 'start', metric: cfg.metric, mode: cfg.mode, inference_budget: cfg.inferenceBudget ?? null, optimization_budget: cfg.optimizationBudget ?? null, prior_spend: prior, config_file: cfg.file, ...(evaluate.sandbox ? { sandbox: evaluate.sandbox } : {}), ...(cfg.spaceWarnings.length > 0 ? { notices: [...cfg.spaceWarnings] } : {}) } as const;
  const log = new TuneLog(logFile, identity, undefined, start);

  // what conditioning the space on the model left out, and discouraged settings: said, never silent
  for (const message of cfg.spaceWarnings) emit({ type: 'notice', message });
  let estimatedSpend = 0;
  if (evaluate.sandbox) emit({ type: 'sandbox', sandbox: evaluate.sandbox });
  const ctx = openRunContext({
    ...p.settings,
    concurrency: cfg.concurrency,
    capabilities: cfg.capabilities,
    ...(input.usage ? { usage: input.usage } : {}),
    ...(input.usageLog ? { usageLog: input.usageLog } : {}),
    onEvent: (event) => {
      if (event.type === 'usage_estimated') estimatedSpend += event.cost;
      emit({ type: 'engine', event });
    },
  });
  // the tune's money ledger keeps its books in the log
  const books = new TrialLogBooks(log, prior);
  const onEvent = (e: TuneEvent): void => {
    if (e.type === 'trial') log.trial(e.summary, books.state.spent);
    if (e.type === 'arm_failed') log.write({ type: 'arm_failed', arm: e.arm, reason: e.reason });
    emit(e);
  };
  let result: TuneResult;
  try {
    result = await tune({
      engine: ctx.engine,
      rows,
      evaluate,
      metric: cfg.metric,
      mode: cfg.mode,
      space: cfg.space,
      inferenceBudget: cfg.inferenceBudget,
      optimizationBudget: cfg.optimizationBudget,
      numSamples: cfg.numSamples,
      searchSeed: cfg.searchSeed,
      searcher: cfg.searcher,
      prices: cfg.prices,
      configList,
      allowFormatStrTemplate: cfg.allowFormatStrTemplate,
      signal: input.signal,
      onEvent,
      priorSpend: prior,
      books,
    });
  } catch (err) {
    // settle the account in the log: what was spent, and what may still be in flight
    books.settle();
    throw err;
  } finally {
    ctx.close();
  }
  const pareto = paretoFront(result.trials, cfg.mode);
  const tunerBest = result.best?.trial;
  result = input.pick ? repick(result, input.pick, cfg) : result;
  const picked = input.pick && tunerBest !== undefined && result.best?.trial !== tunerBest ? { rule: describePickRule(input.pick), tunerBest } : undefined;
  // requests cut off by an interrupt count at their worst case for a re-run, as after kill -9
  log.write({ type: 'end', spent: result.totalSpend, ...(result.unsettled ? { reserved: result.unsettled } : {}), stop_reason: result.stopReason, best_trial: result.best?.trial ?? null, trials: result.trials.length, ...(picked ? { pick: picked.rule, tuner_best_trial: picked.tunerBest } : {}) });
  return { ...result, ...(await saveBest(cfg, result, input, pareto)), tuneConfig: cfg, estimatedSpend, logFile, pareto, ...(picked ? { picked } : {}) };
}

/** The result with the trial `rule` picks in place of the tuner's pick (see applyPickRule). */
function repick(result: TuneResult, rule: PickRule, cfg: TuneConfig): TuneResult {
  if (!result.best) return result;
  const best = applyPickRule(rule, { best: result.best, trials: result.trials, mode: cfg.mode, inferenceBudget: cfg.inferenceBudget });
  if (best === result.best) return result;
  return { ...result, best, config: { ...best.config }, result: { ...best.metrics, [cfg.metric]: best.metric ?? NaN, inference_cost: best.inference_cost ?? NaN, rows: best.rows } };
}

/**
 * Save the pick to `--output` (through OutputFile: `-` is stdout, a device or FIFO is written in
 * place). A tune stopped by failing requests leaves no config behind (it failed). A pick
 * measured on part of the data (the budget ran out, or an interrupt, before it saw every row)
 * goes to `NAME.partial.yaml` beside a file output instead, so it never replaces a complete pick
 * saved there by an earlier run; the warning says where it went. A stream (stdout, a pipe)
 * holds no earlier pick: it gets the partial pick, marked PARTIAL in its header.
 */
async function saveBest(cfg: TuneConfig, result: TuneResult, input: TuneInput, pareto: readonly ParetoPoint[]): Promise<Pick<TuneOutcome, 'output' | 'partial' | 'warning'>> {
  if (!input.output || !result.config || !result.best || result.stopReason === 'failures') return { output: undefined };
  const partial = result.best.rows < result.best.total_rows;
  const target = input.output === '-' ? '-' : resolve(input.cwd, input.output);
  const stream = await writesInPlace(target);
  const shown = partial && !stream ? partialPath(input.output) : input.output;
  const file = shown === input.output ? target : resolve(input.cwd, shown);
  // eval module paths are written relative to the saved file (to the current directory for a stream)
  const doc = bestConfigDocument(cfg, result, stream ? join(input.cwd, 'best.yaml') : file);
  // the whole trade-off, so another point can be taken from the saved file without a re-run
  (doc.tuning as Record<string, unknown>).pareto = pareto.map((p) => ({ trial: p.trial, [cfg.metric]: p.metric, ci: p.ci ? [p.ci.low, p.ci.high] : null, rows: p.rows, inference_cost: p.inference_cost, config: p.config }));
  const header = `# ${partial ? `PARTIAL: measured on ${result.best.rows} of ${result.best.total_rows} rows (stopped: ${result.stopReason}); ` : ''}best config found by autotune tune ${cfg.file ?? ''}
`;
  await writeOutputFile(file, bestConfigText(doc, header), { field: '--output', stdout: input.stdout, makeDirectory: true });
  if (!partial) return { output: shown };
  const where = stream ? `written to ${shown}, marked PARTIAL` : `saved to ${shown}, ${input.output} left as it was`;
  return { output: shown, partial: true, warning: `${result.warning ?? 'the best config was measured on part of the data'}; ${where}` };
}

/**
 * The identity of a tune: what decides its trials (data, space, eval, metric, mode, inference
 * budget, seeds, searcher, prices) and what its answers depend on (the cache root and seed that
 * hold them, the endpoints that gave them: base URL, API type and version, never a key). Spend
 * carried over in a log counts only for a run of the same identity: a run with another cache
 * root pays again for its answers, so the spend of the first must not shorten it. The
 * optimization budget is left out on purpose: raising it and re-running continues the same tune.
 */
export function tuneIdentity(cfg: TuneConfig, where: { cachePathRoot: string; endpoints: readonly EndpointIdentity[] }): string {
  return hashOf({
    data: hashOf(readFileSync(cfg.data, 'utf8')),
    space: cfg.rawSpace,
    eval: cfg.eval,
    metric: cfg.metric,
    mode: cfg.mode,
    inference_budget: cfg.inferenceBudget ?? null,
    search_seed: cfg.searchSeed,
    searcher: cfg.searcher,
    prices: cfg.prices,
    seed: cfg.seed,
    cache_path_root: where.cachePathRoot,
    endpoints: where.endpoints,
  }).slice(0, 16);
}

/** Every template of the space (prompts, and each message, system messages included) is well formed: found before the first request, not when an arm's first row is sent. */
function checkTemplates(cfg: TuneConfig): void {
  const prompts = new Set((cfg.space.choicesOf('prompt') ?? []).filter((p): p is string => typeof p === 'string'));
  for (const template of cfg.space.templates()) {
    const key = prompts.has(template) ? 'prompt' : 'messages';
    try {
      checkTemplate(template, `search_space.${key}`);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      throw new ConfigError(err.message, { code: err.code, file: cfg.file, line: cfg.source?.lineOf(['search_space', key]), field: `search_space.${key}`, ...(err.hint ? { hint: err.hint } : {}) });
    }
  }
}

/** Under a budget every model must have a price, or spend could not be counted. */
function checkPrices(cfg: TuneConfig): void {
  if (cfg.inferenceBudget === undefined && cfg.optimizationBudget === undefined) return;
  for (const model of cfg.space.choicesOf('model') ?? []) {
    if (typeof model !== 'string') continue;
    if (!priceFor({ prices: cfg.prices, configList: cfg.configList }, model)) {
      throw new ConfigError(`model ${model} has no known price, so the budget cannot be enforced`, {
        file: cfg.file,
        line: cfg.source?.lineOf(['search_space', 'model']),
        field: 'search_space.model',
        code: 'E_CONFIG_PRICE',
        hint: `add it under prices: (USD per 1K prompt and completion tokens), e.g. prices: {${model}: [0.001, 0.002]}`,
      });
    }
  }
}

/** Call the eval once on an empty answer: a metric it never returns is a config error, found for free. */
async function checkMetric(cfg: TuneConfig, evaluate: EvalFunction, row: Record<string, unknown>): Promise<void> {
  const probe = await runEval(evaluate, [''], row, 0);
  if (!probe.ok && probe.nonNumeric?.includes(cfg.metric)) {
    throw new ConfigError(`the eval returns ${cfg.metric} as something other than a number: ${probe.error.replace(/^instance \d+: /, '')}`, {
      file: cfg.file,
      line: cfg.source?.lineOf(['eval']),
      field: 'eval',
      code: 'E_CONFIG_METRIC',
      hint: `make the eval return ${cfg.metric} as a number (or a boolean); tune optimises it`,
    });
  }
  if (probe.ok && !(cfg.metric in probe.metrics)) {
    throw new ConfigError(`metric ${cfg.metric} is not in the eval's result (it returns: ${Object.keys(probe.metrics).join(', ') || 'nothing'})`, {
      file: cfg.file,
      line: cfg.source?.lineOf(['metric']),
      field: 'metric',
      code: 'E_CONFIG_METRIC',
      hint: 'set metric: to one of the keys the eval returns',
    });
  }
}
