import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { selectConfigList } from '../completion/config-list.js';
import type { FilterFunction } from '../completion/engine.js';
import type { Env } from '../completion/env-refs.js';
import type { RetryPolicy } from '../completion/retry-policy.js';
import type { EndpointConfig, RequestParams } from '../completion/types.js';
import type { PriceTable } from '../pricing/price-table.js';
import { DEFAULT_CACHE_ROOT, DEFAULT_SEED } from '../store/cache-layout.js';
import { importFunction } from './load-module.js';
import { loadRequestConfig, type RequestConfigFile } from './load-request-config.js';

/**
 * The one resolver of a request config, shared by `create`, `test` and `tune`: a config file,
 * overridden by what the command was given (flags, or a library call's inputs), with the
 * environment's endpoints. The rules, the same for every command:
 * - a given value beats the file's; a given `prompt` replaces the file's `messages` and the
 *   other way round (a config has one of them);
 * - a path in the file is relative to the file, a given path to the working directory;
 * - timeouts are written in seconds and run in milliseconds.
 */

/** What a command gives on top of a config file. Paths are relative to `cwd`. */
export interface RequestConfigInput {
  /** A YAML config (e.g. a saved best config); everything else here overrides its values. */
  configFile?: string | undefined;
  /** Request parameters (model, prompt, messages, n, …); undefined ones are not given. */
  params?: Partial<RequestParams> | undefined;
  /** A JSON file holding the messages (`--messages`): overrides `params.messages`' place. */
  messagesFile?: string | undefined;
  /** A config list file; overrides the file's `config_list:`. */
  configListFile?: string | undefined;
  /** Endpoints in memory; override everything else. */
  configList?: readonly EndpointConfig[] | undefined;
  /** A module exporting the filter `(context, response) => boolean`, or the function itself. */
  filter?: string | FilterFunction | undefined;
  seed?: string | undefined;
  cachePathRoot?: string | undefined;
  concurrency?: number | undefined;
  /** Prices over the file's `prices:` (a library call's; the CLI has no such flag). */
  prices?: PriceTable | undefined;
  /** Retry timings in ms over the file's timeouts (a library call's). */
  retry?: RequestRunSettings['retry'] | undefined;
  env: Env;
  cwd: string;
}

/** What a run of a request config needs to open its run context (see `RunOptions`). */
export interface RequestRunSettings {
  env: Env;
  /** Absolute. */
  cachePathRoot: string;
  seed: string;
  prices: PriceTable;
  configList: EndpointConfig[];
  retry: Partial<RetryPolicy>;
  maxResponseBytes?: number;
}

/** A resolved request config: what `create` sends and `test` runs. */
export interface RequestConfig {
  /** The file as loaded, for what only one command reads from it (test: eval, metric, agg_method). */
  file: RequestConfigFile | undefined;
  /** Checked: a model, and a prompt or messages (one of them). */
  params: RequestParams;
  filter: FilterFunction | undefined;
  allowFormatStrTemplate: boolean;
  /** The given concurrency, else the file's (undefined: the command's default). */
  concurrency: number | undefined;
  /** The longest data line accepted (the file's max_line_bytes; undefined: the reader's default). */
  maxLineBytes: number | undefined;
  run: RequestRunSettings;
}

/** Resolve a request config: load the file, apply what was given, check what must be there. */
export async function resolveRequestConfig(input: RequestConfigInput): Promise<RequestConfig> {
  const file = input.configFile ? await loadRequestConfig(userPath(input.cwd, input.configFile)) : undefined;
  const given = definedOnly(input.params ?? {});
  if (input.messagesFile !== undefined) given.messages = readMessagesFile(input.messagesFile, input.cwd);
  const params = checkParams(mergeParams(file?.params ?? {}, given));
  const settings = fileSettings(file);
  return {
    file,
    params,
    filter: await resolveFilter(input, file),
    allowFormatStrTemplate: settings.allowFormatStrTemplate,
    concurrency: input.concurrency ?? settings.concurrency,
    maxLineBytes: settings.maxLineBytes,
    run: runSettings({
      env: input.env,
      cwd: input.cwd,
      // a given root is relative to the working directory, the file's to the file
      cachePathRoot: input.cachePathRoot ?? settings.cachePathRoot,
      seed: input.seed ?? file?.seed,
      prices: { ...file?.prices, ...input.prices },
      configList: input.configList ?? (input.configListFile ? undefined : file?.configList),
      configListFile: input.configListFile,
      requestTimeout: settings.requestTimeout,
      retryTimeout: settings.retryTimeout,
      maxResponseBytes: settings.maxResponseBytes,
      retry: input.retry,
    }),
  };
}

/**
 * The run settings of any config (tune's too), from values already validated: the cache root
 * made absolute (the default under `cwd`), the default seed, the endpoints (given list, else
 * the config list file, else OAI_CONFIG_LIST or the default endpoint), timeouts in ms.
 */
export function runSettings(s: {
  env: Env;
  cwd: string;
  cachePathRoot?: string | undefined;
  seed?: string | undefined;
  prices?: PriceTable | undefined;
  configList?: readonly EndpointConfig[] | undefined;
  configListFile?: string | undefined;
  /** Seconds. */
  requestTimeout?: number | undefined;
  /** Seconds; 0 is one attempt per endpoint. */
  retryTimeout?: number | undefined;
  maxResponseBytes?: number | undefined;
  /** Retry timings in ms over the timeouts. */
  retry?: RequestRunSettings['retry'] | undefined;
}): RequestRunSettings {
  const retry: RequestRunSettings['retry'] = {};
  if (s.requestTimeout !== undefined) retry.requestTimeoutMs = s.requestTimeout * 1000;
  if (s.retryTimeout !== undefined) retry.retryTimeoutMs = s.retryTimeout * 1000;
  Object.assign(retry, s.retry);
  return {
    env: s.env,
    cachePathRoot: resolve(s.cwd, s.cachePathRoot ?? DEFAULT_CACHE_ROOT),
    seed: s.seed ?? DEFAULT_SEED,
    prices: s.prices ?? {},
    configList: selectConfigList({ explicit: s.configList, file: s.configListFile && userPath(s.cwd, s.configListFile), env: s.env }),
    retry,
    ...(s.maxResponseBytes !== undefined ? { maxResponseBytes: s.maxResponseBytes } : {}),
  };
}

/**
 * A path as the user gave it, made absolute against `cwd` when that is not the process's own
 * directory (so messages show `data.jsonl:3` in normal use, and tests can run in a temp dir).
 */
export function userPath(cwd: string, path: string): string {
  return isAbsolute(path) || resolve(cwd) === process.cwd() ? path : resolve(cwd, path);
}

// --- internal ---

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function mergeParams(fromFile: Partial<RequestParams>, given: Partial<RequestParams>): Partial<RequestParams> {
  const base = { ...fromFile };
  // a config has a prompt or messages: a given one replaces the file's, whichever it is
  if (given.prompt !== undefined) delete base.messages;
  if (given.messages !== undefined) delete base.prompt;
  return { ...base, ...given };
}

function checkParams(params: Partial<RequestParams>): RequestParams {
  if (!params.model) throw new ConfigError('no model given', { field: 'model', hint: 'pass --model, or a --config file with model:' });
  if (params.prompt === undefined && params.messages === undefined) {
    throw new ConfigError('no prompt or messages given', { field: 'prompt', hint: 'pass --prompt TEMPLATE or --messages FILE, or a --config file with prompt: or messages:' });
  }
  return params as RequestParams;
}

/** A `--messages` file: a JSON list of `{role, content}`, relative to the working directory. */
function readMessagesFile(file: string, cwd: string): RequestParams['messages'] {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(resolve(cwd, file), 'utf8'));
  } catch (err) {
    throw new ConfigError(`cannot read messages from ${file}: ${(err as Error).message}`, { file, field: '--messages', hint: 'give a JSON file with [{"role": "user", "content": "{problem}"}]' });
  }
  if (!Array.isArray(value)) throw new ConfigError(`${file} must hold a JSON list of messages`, { file, field: '--messages' });
  return value as RequestParams['messages'];
}

async function resolveFilter(input: RequestConfigInput, file: RequestConfigFile | undefined): Promise<FilterFunction | undefined> {
  if (typeof input.filter === 'function') return input.filter;
  if (typeof input.filter === 'string') return importFunction<FilterFunction>(input.filter, input.cwd, { field: '--filter' }, undefined, ['filter']);
  const spec = file?.run.filter;
  if (spec === undefined || spec === null || !file) return undefined;
  const where = { file: file.file, line: file.source.lineOf(['filter']), field: 'filter' };
  if (typeof spec !== 'string' || spec === '') throw new ConfigError('filter must be the path of a module', { ...where, hint: 'e.g. filter: ./filter.mjs (default export (context, response) => boolean)' });
  return importFunction<FilterFunction>(spec, file.baseDir, where, undefined, ['filter']);
}

/** The run settings a request config file holds, typed (their values were checked on load). */
interface FileSettings {
  /** Resolved against the file's directory. */
  cachePathRoot: string | undefined;
  requestTimeout: number | undefined;
  retryTimeout: number | undefined;
  maxResponseBytes: number | undefined;
  maxLineBytes: number | undefined;
  concurrency: number | undefined;
  allowFormatStrTemplate: boolean;
}

function fileSettings(file: RequestConfigFile | undefined): FileSettings {
  const run = file?.run ?? {};
  const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
  const where = (key: string) => ({ file: file?.file, line: file?.source.lineOf([key]), field: key, code: 'E_CONFIG_FIELD' });
  const root = run.cache_path_root;
  if (root !== undefined && root !== null && (typeof root !== 'string' || root === '')) {
    throw new ConfigError(`cache_path_root must be a directory path, got ${JSON.stringify(root)}`, { ...where('cache_path_root'), hint: 'e.g. cache_path_root: .cache (relative to this file)' });
  }
  const concurrency = run.concurrency;
  if (concurrency !== undefined && concurrency !== null && (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < 1)) {
    throw new ConfigError(`concurrency must be an integer >= 1, got ${JSON.stringify(concurrency)}`, where('concurrency'));
  }
  return {
    cachePathRoot: typeof root === 'string' && file ? resolve(file.baseDir, root) : undefined,
    requestTimeout: num(run.request_timeout),
    retryTimeout: num(run.retry_timeout),
    maxResponseBytes: num(run.max_response_bytes),
    maxLineBytes: num(run.max_line_bytes),
    concurrency: num(concurrency),
    allowFormatStrTemplate: run.allow_format_str_template !== false,
  };
}
