import { ConfigError } from '../errors.js';
import { checkEndpoints } from '../completion/config-list.js';
import type { FilterFunction } from '../completion/engine.js';
import { checkTemplate, templateFields } from '../completion/template.js';
import type { RequestParams } from '../completion/types.js';
import type { RequestConfigFile } from '../config/load-request-config.js';
import { resolveRequestConfig, userPath } from '../config/request-config.js';
import type { RunOptions } from '../context.js';
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
  const config = await resolveRequestConfig({ ...input, prices: input.run?.prices, retry: input.run?.retry });
  const { file, params, allowFormatStrTemplate } = config;
  const evaluate = await resolveEval(input, file);
  const aggregation = await resolveAgg(input, file);
  checkEndpoints(config.run.configList, input.env); // a missing API key variable is found before any row runs
  const concurrency = config.concurrency ?? 8;
  return {
    params,
    evaluate,
    aggregation,
    metric: typeof file?.run.metric === 'string' ? file.run.metric : undefined,
    mode: file?.run.mode === 'min' || file?.run.mode === 'max' ? file.run.mode : undefined,
    filter: config.filter,
    allowFormatStrTemplate,
    requiredFields: allowFormatStrTemplate ? fieldsOf(params) : [],
    maxLineBytes: config.maxLineBytes,
    concurrency,
    run: { ...input.run, ...config.run, concurrency },
  };
}

/** An output path as the user gave it (see userPath); `-` (standard output) stays `-`. */
export function outputPath(cwd: string, path: string): string {
  return path === '-' ? path : userPath(cwd, path);
}

// --- internal ---

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
