import type { CompletionFailure } from '../completion/engine.js';
import type { EngineEvent } from '../completion/engine-events.js';
import type { Env } from '../completion/env-refs.js';
import type { CompletionResponse, RequestParams, TemplateContext } from '../completion/types.js';
import { resolveRequestConfig } from '../config/request-config.js';
import { openRunContext, type RunOptions } from '../context.js';

/** Inputs of `autotune create`, already parsed from flags. */
export interface CreateInput {
  /** A YAML config (e.g. a saved best config); flags override its values. */
  configFile?: string | undefined;
  /** Request parameters from flags (model, prompt, messages, n, …). */
  params?: Partial<RequestParams>;
  /** A JSON file of `{role, content}` messages (relative to `cwd`): replaces the config's prompt or messages. */
  messagesFile?: string | undefined;
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
  const config = await resolveRequestConfig({
    configFile: input.configFile,
    params: input.params,
    messagesFile: input.messagesFile,
    configListFile: input.configListFile,
    filter: input.filterModule,
    seed: input.seed,
    cachePathRoot: input.cachePathRoot,
    prices: input.run?.prices,
    retry: input.run?.retry,
    env: input.env,
    cwd: input.cwd,
  });
  const ctx = openRunContext({
    ...input.run,
    ...config.run,
    ...(input.onEvent ? { onEvent: input.onEvent } : {}),
  });
  try {
    return await ctx.engine.create({
      params: config.params,
      context: input.context ?? {},
      useCache: input.useCache ?? true,
      filter: config.filter,
      raiseOnFailure: input.raiseOnFailure ?? true,
      allowFormatStrTemplate: config.allowFormatStrTemplate,
      signal: input.signal,
    });
  } finally {
    ctx.close();
  }
}
