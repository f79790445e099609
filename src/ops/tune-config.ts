import { dirname, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { validateList } from '../completion/config-list.js';
import type { EndpointConfig } from '../completion/types.js';
import { isByteCount, parsePrices, parseSeed } from '../config/common-fields.js';
import { closest, readYamlFile, type YamlSource } from '../config/yaml-file.js';
import type { PriceTable } from '../pricing/price-table.js';
import { parseSearchSpace } from '../space/parse-space.js';
import { parseCapabilityOverrides, type CapabilityOverrides } from '../completion/model-capabilities.js';
import { conditionOnModel } from './model-space.js';
import { TUNE_KEYS, type TuneKey } from '../config/tune-keys.js';
export { TUNE_KEYS, type TuneKey } from '../config/tune-keys.js';
import type { SearchSpace } from '../space/search-space.js';

/** A validated tune config: what `autotune tune config.yaml` runs. Paths are absolute. */
export interface TuneConfig {
  file: string | undefined;
  baseDir: string;
  data: string;
  /** The eval spec as written (module path, `builtin:NAME` or `{builtin, …}`). */
  eval: unknown;
  metric: string;
  mode: 'max' | 'min';
  inferenceBudget: number | undefined;
  optimizationBudget: number | undefined;
  /** Max trials; -1 = until the budget (or the space) is exhausted. */
  numSamples: number;
  seed: string;
  searchSeed: number;
  concurrency: number;
  logFile: string | undefined;
  prices: PriceTable;
  configList: EndpointConfig[] | undefined;
  /** The search space as written (kept for the saved best config's provenance). */
  rawSpace: Record<string, unknown>;
  /** The space conditioned on the model (model-space.ts): what is sampled. */
  space: SearchSpace;
  /** Discouraged settings, and what conditioning on the model left out (said on stderr and in the log). */
  spaceWarnings: readonly string[];
  /** `model_capabilities:`: what models accept, over the built-in table. */
  capabilities: CapabilityOverrides;
  defaultsApplied: readonly string[];
  searcher: 'default' | 'random';
  cachePathRoot: string | undefined;
  requestTimeout: number | undefined;
  retryTimeout: number | undefined;
  /** The longest data line accepted (undefined: the reader's default, 16 MiB). */
  maxLineBytes: number | undefined;
  /** The most a response body may hold (undefined: the transport's default, 16 MiB). */
  maxResponseBytes: number | undefined;
  allowFormatStrTemplate: boolean;
  source: YamlSource | undefined;
}


/** CLI flags override keys; paths given on the command line are relative to `cwd`. */
export type TuneOverrides = Partial<Record<TuneKey, unknown>>;

/** Read a tune YAML and apply overrides; every problem is a ConfigError naming file:line and key. */
export function loadTuneConfig(file: string, overrides: TuneOverrides = {}, cwd = process.cwd()): TuneConfig {
  const source = readYamlFile(file);
  return parseTuneConfig(source.value, { source, baseDir: dirname(resolve(cwd, file)), overrides, cwd });
}

/** Validate a tune config value (from YAML, or built in code with `source` undefined). */
export function parseTuneConfig(
  value: unknown,
  opts: { source?: YamlSource | undefined; baseDir: string; overrides?: TuneOverrides; cwd?: string },
): TuneConfig {
  const { source, baseDir } = opts;
  const file = source?.file;
  const over = opts.overrides ?? {};
  const err = (message: string, key: string, path: Array<string | number> = [key], hint?: string): ConfigError => {
    // a value given as a flag is the flag's fault, not the file's: name the flag, once
    if (over[key as TuneKey] !== undefined) {
      const said = message.startsWith(`${key} `) ? message.slice(key.length + 1) : message;
      return new ConfigError(said, { field: `--${key.replaceAll('_', '-')}`, code: 'E_CONFIG_FLAG', ...(hint ? { hint } : {}) });
    }
    return new ConfigError(message, { file, line: source?.lineOf(path), field: key, code: 'E_CONFIG_FIELD', ...(hint ? { hint } : {}) });
  };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError('a tune config must be a mapping of keys to values', { file, line: 1, hint: 'see tune.example.yaml' });
  }
  const raw = value as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!(TUNE_KEYS as readonly string[]).includes(key)) {
      const guess = closest(key, TUNE_KEYS);
      throw err(`unknown key ${key}`, key, [key], guess ? `did you mean ${guess}?` : `known keys: ${TUNE_KEYS.join(', ')}`);
    }
  }
  // Flags win over the file; a path from a flag is relative to the current directory.
  const cwd = opts.cwd ?? process.cwd();
  const pick = (k: TuneKey): unknown => (over[k] !== undefined ? over[k] : raw[k]);
  const pathOf = (k: TuneKey): string | undefined => {
    const v = pick(k);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || v === '') throw err(`${k} must be a file path`, k);
    return resolve(over[k] !== undefined ? cwd : baseDir, v);
  };

  const data = pathOf('data');
  if (!data) throw err('data is required: the JSONL file of tuning rows', 'data', [], 'add data: path/to/tune.jsonl');
  const evalSpec = pick('eval');
  if (evalSpec === undefined || evalSpec === null) {
    throw err('eval is required', 'eval', [], 'eval: ./eval.mjs (default export (responses, row) => metrics) or eval: builtin:answer_vote');
  }
  const metric = pick('metric');
  if (typeof metric !== 'string' || metric === '') throw err('metric is required: the key of the eval result to optimise', 'metric', ['metric'], 'e.g. metric: success_vote');
  const mode = pick('mode') ?? 'max';
  if (mode !== 'max' && mode !== 'min') throw err(`mode must be max or min, got ${JSON.stringify(mode)}`, 'mode');

  const budget = (k: 'inference_budget' | 'optimization_budget'): number | undefined => {
    const v = pick(k);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw err(`${k} must be a positive number of USD, got ${JSON.stringify(v)}`, k, [k], k === 'inference_budget' ? 'USD per data instance, e.g. 0.002' : 'USD for the whole search, e.g. 1.0');
    }
    return v;
  };
  const inferenceBudget = budget('inference_budget');
  const optimizationBudget = budget('optimization_budget');
  const numSamples = intOf(pick('num_samples') ?? -1, 'num_samples', -1, err);
  if (numSamples === 0) throw err('num_samples must be -1 (no limit) or at least 1', 'num_samples');
  if (optimizationBudget === undefined && numSamples < 0) {
    throw err('set optimization_budget (USD) or num_samples: without either the search has no end', 'optimization_budget', []);
  }
  const searchSeed = intOf(pick('search_seed') ?? 0, 'search_seed', 0, err);
  const concurrency = intOf(pick('concurrency') ?? 8, 'concurrency', 1, err);
  const searcher = pick('searcher') ?? 'default';
  if (searcher !== 'default' && searcher !== 'random') throw err(`searcher must be default or random, got ${JSON.stringify(searcher)}`, 'searcher');
  const seconds = (k: 'request_timeout' | 'retry_timeout'): number | undefined => {
    const v = pick(k);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !(v > 0)) throw err(`${k} must be a positive number of seconds`, k);
    return v;
  };
  const bytes = (k: 'max_line_bytes' | 'max_response_bytes'): number | undefined => {
    const v = pick(k) ?? undefined;
    if (v !== undefined && !isByteCount(v)) throw err(`${k} must be a whole number of bytes >= 1, got ${JSON.stringify(v)}`, k, [k], `e.g. ${k}: 67108864 (64 MiB)`);
    return v;
  };
  const allowFormat = pick('allow_format_str_template') ?? true;
  if (typeof allowFormat !== 'boolean') throw err('allow_format_str_template must be true or false', 'allow_format_str_template');
  const fakeSource = source ?? { file: '<config>', value, lineOf: () => undefined };

  const rawSpace = pick('search_space');
  if (rawSpace === undefined || rawSpace === null || typeof rawSpace !== 'object' || Array.isArray(rawSpace)) {
    throw err('search_space is required: a mapping of request parameters to values or domains', 'search_space', ['search_space'], 'at least model:, e.g. model: [gpt-3.5-turbo, gpt-4]');
  }
  if ((rawSpace as Record<string, unknown>).model === undefined) {
    throw err('search_space.model is required', 'search_space.model', ['search_space'], 'model: gpt-4o-mini, or a list to choose from');
  }
  const parsed = parseSearchSpace(rawSpace, { ...(file ? { file } : {}), locate: (p) => source?.lineOf(p) });
  const capabilities = parseCapabilityOverrides(pick('model_capabilities'), { ...(file ? { file } : {}), lineOf: (p) => source?.lineOf(p) });
  const conditioned = conditionOnModel(parsed.space, { overrides: capabilities, given: new Set(Object.keys(rawSpace)), file, lineOf: (p) => source?.lineOf(p) });
  const prices = parsePrices(pick('prices'), fakeSource);
  const configList = pick('config_list') === undefined ? undefined : validateList(pick('config_list'), file ?? '<config>');

  return {
    file,
    baseDir,
    data,
    eval: evalSpec,
    metric,
    mode,
    inferenceBudget,
    optimizationBudget,
    numSamples,
    seed: parseSeed(pick('seed'), fakeSource) ?? '41',
    searchSeed,
    concurrency,
    logFile: pathOf('log_file'),
    prices,
    configList,
    rawSpace: rawSpace as Record<string, unknown>,
    space: conditioned.space,
    spaceWarnings: [...parsed.warnings, ...conditioned.notes],
    capabilities,
    defaultsApplied: parsed.defaultsApplied,
    searcher,
    cachePathRoot: pathOf('cache_path_root'),
    requestTimeout: seconds('request_timeout'),
    retryTimeout: seconds('retry_timeout'),
    maxLineBytes: bytes('max_line_bytes'),
    maxResponseBytes: bytes('max_response_bytes'),
    allowFormatStrTemplate: allowFormat,
    source,
  };
}

function intOf(v: unknown, key: string, min: number, err: (m: string, k: string) => ConfigError): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw err(`${key} must be an integer >= ${min}, got ${JSON.stringify(v)}`, key);
  return v;
}
