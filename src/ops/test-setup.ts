import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { checkEndpoints, selectConfigList } from '../completion/config-list.js';
import type { FilterFunction } from '../completion/engine.js';
import { checkTemplate, templateFields } from '../completion/template.js';
import type { RequestParams } from '../completion/types.js';
import { importFunction } from '../config/load-module.js';
import { loadRequestConfig, type RequestConfigFile } from '../config/load-request-config.js';
import { DEFAULT_CACHE_ROOT, DEFAULT_SEED, type RunOptions } from '../context.js';
import type { AggregationMethod } from '../evaluate/aggregators.js';
import { resolveAggregation } from '../evaluate/aggregators.js';
import type { EvalFunction } from '../evaluate/eval-types.js';
import { loadAggregator } from '../evaluate/load-aggregator.js';
import { loadEval } from '../evaluate/load-eval.js';
import type { TestInput } from './test-types.js';

/** Everything a test run needs, resolved and validated before anything is spent. */
export interface TestPlan {
  params: RequestParams;
  evaluate: EvalFunction;
  aggregation: AggregationMethod;
  /** The config's optimization metric and mode (written there by tune), if any. */
  metric: string | undefined;
  mode: 'max' | 'min' | undefined;
  filter: FilterFunction | undefined;
  allowFormatStrTemplate: boolean;
  /** Row fields the string templates use: checked on every row before the run starts. */
  requiredFields: string[];
  /** The longest data line accepted (the config's max_line_bytes; undefined: the reader's default). */
  maxLineBytes: number | undefined;
  concurrency: number;
  run: RunOptions;
}

const EVAL_HINT = 'pass --eval ./eval.mjs or --eval builtin:answer_vote, or add `eval: builtin:answer_vote` to the config (tune writes it there)';

/** Resolve a test run's inputs: config file + overrides → params, eval, aggregation, run options. */
export async function planTest(input: TestInput): Promise<TestPlan> {
  const file = input.configFile ? await loadRequestConfig(userPath(input.cwd, input.configFile)) : undefined;
  const params = mergeParams(file?.params ?? {}, input.params ?? {});
  const evaluate = await resolveEval(input, file);
  const aggregation = await resolveAgg(input, file);
  const allowFormatStrTemplate = file?.run.allow_format_str_template !== false;
  const concurrency = input.concurrency ?? positiveInt(file, 'concurrency') ?? 8;
  const root = input.cachePathRoot ?? (typeof file?.run.cache_path_root === 'string' ? file.run.cache_path_root : DEFAULT_CACHE_ROOT);
  // --config-list overrides the config's config_list, like every other flag
  const configList = input.configList ?? selectConfigList({ explicit: input.configListFile ? undefined : file?.configList, file: input.configListFile && userPath(input.cwd, input.configListFile), env: input.env });
  checkEndpoints(configList, input.env); // a missing API key variable is found before any row runs
  const filter = input.filter ?? (typeof file?.run.filter === 'string'
    ? await importFunction<FilterFunction>(file.run.filter, file.baseDir, { file: file.file, field: 'filter' }, undefined, ['filter'])
    : undefined);
  return {
    params,
    evaluate,
    aggregation,
    metric: typeof file?.run.metric === 'string' ? file.run.metric : undefined,
    mode: file?.run.mode === 'min' || file?.run.mode === 'max' ? file.run.mode : undefined,
    filter,
    allowFormatStrTemplate,
    requiredFields: allowFormatStrTemplate ? fieldsOf(params) : [],
    maxLineBytes: typeof file?.run.max_line_bytes === 'number' ? file.run.max_line_bytes : undefined,
    concurrency,
    run: {
      ...input.run,
      env: input.env,
      seed: input.seed ?? file?.seed ?? DEFAULT_SEED,
      cachePathRoot: resolve(input.cwd, root),
      prices: { ...file?.prices, ...input.run?.prices },
      configList,
      concurrency,
      ...retryOf(file, input.run?.retry),
      ...(typeof file?.run.max_response_bytes === 'number' ? { maxResponseBytes: file.run.max_response_bytes } : {}),
    },
  };
}

/**
 * A path as the user gave it, made absolute against `cwd` when that is not the process's own
 * directory (so messages show `data.jsonl:3` in normal use, and tests can run in a temp dir).
 */
export function userPath(cwd: string, path: string): string {
  return isAbsolute(path) || resolve(cwd) === process.cwd() ? path : resolve(cwd, path);
}

/** An output path as the user gave it (see userPath); `-` (standard output) stays `-`. */
export function outputPath(cwd: string, path: string): string {
  return path === '-' ? path : userPath(cwd, path);
}

// --- internal ---

function mergeParams(fromFile: Partial<RequestParams>, overrides: Partial<RequestParams>): RequestParams {
  const given = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Partial<RequestParams>;
  const base = { ...fromFile };
  // a prompt given as an override replaces the file's messages, and the other way round
  if (given.prompt !== undefined) delete base.messages;
  if (given.messages !== undefined) delete base.prompt;
  const params = { ...base, ...given } as RequestParams;
  if (!params.model) throw new ConfigError('no model given', { field: 'model', hint: 'pass --model, or a --config file with model:' });
  if (params.prompt === undefined && params.messages === undefined) {
    throw new ConfigError('no prompt or messages given', { field: 'prompt', hint: 'pass --prompt TEMPLATE, or a --config file with prompt: or messages:' });
  }
  return params;
}

async function resolveEval(input: TestInput, file: RequestConfigFile | undefined): Promise<EvalFunction> {
  if (typeof input.eval === 'function') return input.eval;
  if (input.eval !== undefined) return loadEval(input.eval, { baseDir: input.cwd, field: '--eval' });
  if (file?.run.eval !== undefined && file.run.eval !== null) {
    return loadEval(file.run.eval as Parameters<typeof loadEval>[0], { baseDir: file.baseDir, file: file.file, line: file.source.lineOf(['eval']), field: 'eval' });
  }
  throw new ConfigError(file ? 'the config names no eval, so there is nothing to score the responses with' : 'no eval given', {
    field: 'eval',
    code: 'E_CONFIG_NO_EVAL',
    ...(file ? { file: file.file } : {}),
    hint: EVAL_HINT,
  });
}

async function resolveAgg(input: TestInput, file: RequestConfigFile | undefined): Promise<AggregationMethod> {
  if (typeof input.agg === 'string') return loadAggregator(input.agg, input.cwd, { field: '--agg' });
  if (input.agg !== undefined) {
    resolveAggregation(input.agg, { field: 'agg' });
    return input.agg;
  }
  const spec = file?.run.agg_method;
  if (spec === undefined || spec === null || !file) return 'avg';
  const where = { file: file.file, line: file.source.lineOf(['agg_method']), field: 'agg_method' };
  if (typeof spec === 'string') return loadAggregator(spec, file.baseDir, where);
  if (typeof spec === 'object' && !Array.isArray(spec)) {
    const method = spec as Record<string, never>;
    resolveAggregation(method, where);
    return method;
  }
  throw new ConfigError(`agg_method must be a name (avg, median, min, max, sum), a module path or a map {metric: name}, got ${JSON.stringify(spec)}`, {
    ...where,
    hint: 'e.g. agg_method: median, or agg_method: {success: avg, votes: max}',
  });
}

/** The fields the string templates use; each template's syntax is checked on the way (before any row runs). */
function fieldsOf(params: RequestParams): string[] {
  const fields = new Set<string>();
  const use = (text: string, where: string): void => {
    checkTemplate(text, where);
    for (const f of templateFields(text)) fields.add(f);
  };
  if (typeof params.prompt === 'string') use(params.prompt, 'prompt');
  if (Array.isArray(params.messages)) params.messages.forEach((m, i) => typeof m.content === 'string' && use(m.content, `messages[${i}].content`));
  return [...fields];
}

function positiveInt(file: RequestConfigFile | undefined, key: 'concurrency'): number | undefined {
  const v = file?.run[key];
  if (v === undefined || v === null || !file) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new ConfigError(`${key} must be an integer >= 1, got ${JSON.stringify(v)}`, { file: file.file, line: file.source.lineOf([key]), field: key });
  }
  return v;
}

function retryOf(file: RequestConfigFile | undefined, given: RunOptions['retry']): Pick<RunOptions, 'retry'> {
  const retry: NonNullable<RunOptions['retry']> = {};
  if (typeof file?.run.request_timeout === 'number') retry.requestTimeoutMs = file.run.request_timeout * 1000;
  if (typeof file?.run.retry_timeout === 'number') retry.retryTimeoutMs = file.run.retry_timeout * 1000;
  return { retry: { ...retry, ...given } };
}
