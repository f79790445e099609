import type { CompletionFailure } from '../completion/engine.js';
import type { EngineEvent } from '../completion/engine-events.js';
import type { CompletionResponse, TemplateContext } from '../completion/types.js';
import { resolveRequestConfig, type RequestConfigInput } from '../config/request-config.js';
import { openRunContext, type RunOptions } from '../context.js';

/**
 * Inputs of `autotune create`, already parsed from flags: the request config (a config file and
 * what overrides it, see RequestConfigInput), the row, and how to run.
 */
export interface CreateInput extends Omit<RequestConfigInput, 'concurrency' | 'prices' | 'retry'> {
  context?: TemplateContext;
  /** Same as `filter` given as a module path (default export or `filter`). */
  filterModule?: string | undefined;
  useCache?: boolean;
  raiseOnFailure?: boolean;
  onEvent?: (e: EngineEvent) => void;
  signal?: AbortSignal | undefined;
  /** Run options; `prices` and `retry` here override the config file's. */
  run?: Omit<RunOptions, 'env' | 'seed' | 'cachePathRoot' | 'onEvent'>;
}

/** Make one completion the way `autotune create` does: config file + flags, failover, cache. */
export async function runCreate(input: CreateInput): Promise<CompletionResponse | CompletionFailure> {
  const config = await resolveRequestConfig({ ...input, filter: input.filter ?? input.filterModule, prices: input.run?.prices, retry: input.run?.retry });
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
