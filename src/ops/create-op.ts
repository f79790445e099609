import { ConfigError } from '../errors.js';
import { selectConfigList } from '../completion/config-list.js';
import type { CompletionFailure, FilterFunction } from '../completion/engine.js';
import type { EngineEvent } from '../completion/engine-events.js';
import type { Env } from '../completion/env-refs.js';
import type { CompletionResponse, RequestParams, TemplateContext } from '../completion/types.js';
import { importFunction } from '../config/load-module.js';
import { loadRequestConfig } from '../config/load-request-config.js';
import { resolve } from 'node:path';
import { openRunContext, DEFAULT_CACHE_ROOT, type RunOptions } from '../context.js';

/** Inputs of `autotune create`, already parsed from flags. */
export interface CreateInput {
  /** A YAML config (e.g. a saved best config); flags override its values. */
  configFile?: string | undefined;
  /** Request parameters from flags (model, prompt, messages, n, …). */
  params?: Partial<RequestParams>;
  context?: TemplateContext;
  configListFile?: string | undefined;
  /** Module exporting the filter `(context, response) => boolean` (default export or `filter`). */
  filterModule?: string | undefined;
  useCache?: boolean;
  seed?: string | undefined;
  cachePathRoot?: string | undefined;
  raiseOnFailure?: boolean;
  env: Env;
  cwd: string;
  onEvent?: (e: EngineEvent) => void;
  signal?: AbortSignal | undefined;
  run?: Omit<RunOptions, 'env' | 'seed' | 'cachePathRoot' | 'onEvent'>;
}

/** Make one completion the way `autotune create` does: config file + flags, failover, cache. */
export async function runCreate(input: CreateInput): Promise<CompletionResponse | CompletionFailure> {
  const file = input.configFile ? await loadRequestConfig(resolve(input.cwd, input.configFile)) : undefined;
  const params = { ...file?.params, ...stripUndefined(input.params ?? {}) } as RequestParams;
  if (!params.model) throw new ConfigError('no model given', { field: 'model', hint: 'pass --model, or a --config file with model:' });
  if (params.prompt === undefined && params.messages === undefined) {
    throw new ConfigError('no prompt or messages given', { field: 'prompt', hint: 'pass --prompt TEXT or --messages FILE, or a --config file with one' });
  }
  const filter = input.filterModule
    ? await importFunction<FilterFunction>(input.filterModule, input.cwd, { field: '--filter' }, undefined, ['filter'])
    : file?.run.filter
      ? await importFunction<FilterFunction>(String(file.run.filter), file.baseDir, { file: file.file, field: 'filter' }, undefined, ['filter'])
      : undefined;
  // --config-list overrides the config's config_list, like every other flag
  const configList = selectConfigList({ explicit: input.configListFile ? undefined : file?.configList, file: input.configListFile ? resolve(input.cwd, input.configListFile) : undefined, env: input.env });
  const ctx = openRunContext({
    ...input.run,
    env: input.env,
    seed: input.seed ?? file?.seed,
    cachePathRoot: resolve(input.cwd, input.cachePathRoot ?? (typeof file?.run.cache_path_root === 'string' ? resolve(file.baseDir, file.run.cache_path_root) : DEFAULT_CACHE_ROOT)),
    prices: file?.prices ?? {},
    configList,
    ...(input.onEvent ? { onEvent: input.onEvent } : {}),
    ...(timeouts(file?.run) ?? {}),
    ...(typeof file?.run.max_response_bytes === 'number' ? { maxResponseBytes: file.run.max_response_bytes } : {}),
  });
  try {
    return await ctx.engine.create({
      params,
      context: input.context ?? {},
      useCache: input.useCache ?? true,
      filter,
      raiseOnFailure: input.raiseOnFailure ?? true,
      allowFormatStrTemplate: file?.run.allow_format_str_template === false ? false : true,
      signal: input.signal,
    });
  } finally {
    ctx.close();
  }
}

function timeouts(run: Record<string, unknown> | undefined): { retry: { requestTimeoutMs?: number; retryTimeoutMs?: number } } | undefined {
  if (!run) return undefined;
  const retry: { requestTimeoutMs?: number; retryTimeoutMs?: number } = {};
  if (typeof run.request_timeout === 'number') retry.requestTimeoutMs = run.request_timeout * 1000;
  if (typeof run.retry_timeout === 'number') retry.retryTimeoutMs = run.retry_timeout * 1000;
  return { retry };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
