import { CompletionEngine } from './completion/engine.js';
import type { EngineEvent } from './completion/engine-events.js';
import type { Env } from './completion/env-refs.js';
import { RequestPool } from './completion/request-pool.js';
import type { RetryPolicy } from './completion/retry-policy.js';
import type { CompletionTransport } from './completion/transport.js';
import type { EndpointConfig } from './completion/types.js';
import type { PriceTable } from './pricing/price-table.js';
import { SqliteResponseCache, type ResponseCache } from './store/response-cache.js';
import type { UsageSink } from './usage/usage-record.js';
import { systemClock, type Clock } from './util/clock.js';

/** Defaults shared by every command: the original's cache layout `.cache/41`. */
export const DEFAULT_CACHE_ROOT = '.cache';
export const DEFAULT_SEED = '41';

/** What a run needs; everything has a production default. */
export interface RunOptions {
  /** Environment for `${VAR}` expansion and the default endpoint (default: process.env). */
  env?: Env;
  cachePathRoot?: string;
  seed?: string | number;
  /** false: no cache at all. ('read: false' is per call: CreateOptions.useCache.) */
  cache?: boolean | ResponseCache;
  concurrency?: number;
  prices?: PriceTable;
  configList?: readonly EndpointConfig[];
  retry?: Partial<RetryPolicy>;
  usage?: UsageSink;
  onEvent?: (e: EngineEvent) => void;
  clock?: Clock;
  random?: () => number;
  transport?: CompletionTransport;
}

/** The engine and the storage of one run. Close it when done. */
export interface RunContext {
  engine: CompletionEngine;
  cache: ResponseCache | null;
  clock: Clock;
  close(): void;
}

/** Build a run context: open the seed's cache and wire the engine. */
export function openRunContext(opts: RunOptions = {}): RunContext {
  const clock = opts.clock ?? systemClock;
  let cache: ResponseCache | null = null;
  let ownsCache = false;
  if (opts.cache !== false) {
    if (opts.cache && typeof opts.cache === 'object') cache = opts.cache;
    else {
      cache = SqliteResponseCache.open(opts.cachePathRoot ?? DEFAULT_CACHE_ROOT, opts.seed ?? DEFAULT_SEED);
      ownsCache = true;
    }
  }
  const engine = new CompletionEngine({
    env: opts.env ?? process.env,
    cache,
    pool: new RequestPool(opts.concurrency ?? 8, () => clock.now()),
    clock,
    ...(opts.transport ? { transport: opts.transport } : {}),
    ...(opts.usage ? { usage: opts.usage } : {}),
    ...(opts.random ? { random: opts.random } : {}),
    ...(opts.prices ? { prices: opts.prices } : {}),
    ...(opts.configList ? { configList: opts.configList } : {}),
    ...(opts.retry ? { retry: opts.retry } : {}),
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
  });
  return {
    engine,
    cache,
    clock,
    close: () => {
      if (ownsCache) cache?.close();
    },
  };
}
