import type { CapabilityOverrides } from './completion/model-capabilities.js';
import { CompletionEngine } from './completion/engine.js';
import type { EngineEvent } from './completion/engine-events.js';
import type { Env } from './completion/env-refs.js';
import { RequestPool } from './completion/request-pool.js';
import type { RetryPolicy } from './completion/retry-policy.js';
import type { CompletionTransport } from './completion/transport.js';
import type { EndpointConfig } from './completion/types.js';
import type { PriceTable } from './pricing/price-table.js';
import { DEFAULT_CACHE_ROOT, DEFAULT_SEED } from './store/cache-layout.js';
import { SqliteResponseCache, type ResponseCache } from './store/response-cache.js';
import { combineSinks, type UsageSink } from './usage/usage-record.js';
import type { CacheError } from './errors.js';
import { SqliteUsageLog } from './usage/sqlite-usage-log.js';
import { newRunId } from './usage/run-id.js';
import { usageLogPath, type UsageCommand } from './usage/usage-schema.js';
import { systemClock, type Clock } from './util/clock.js';

// defaults shared by every command: the original's cache layout `.cache/41`
export { DEFAULT_CACHE_ROOT, DEFAULT_SEED } from './store/cache-layout.js';

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
  /** `model_capabilities:` of the config (completion/model-capabilities.ts). */
  capabilities?: CapabilityOverrides;
  configList?: readonly EndpointConfig[];
  retry?: Partial<RetryPolicy>;
  usage?: UsageSink;
  /**
   * Also log usage to `{cachePathRoot}/usage.sqlite` (what the CLI does), under this command
   * and run id (default: a fresh one). The log is flushed and closed with the context.
   */
  usageLog?: { command: UsageCommand; runId?: string; history?: boolean; onError?: (err: CacheError) => void };
  onEvent?: (e: EngineEvent) => void;
  clock?: Clock;
  random?: () => number;
  transport?: CompletionTransport;
  /** The most a response body may hold, as sent and decompressed (default 16 MiB; `max_response_bytes` in configs). */
  maxResponseBytes?: number | undefined;
}

/** The engine and the storage of one run. Close it when done. */
export interface RunContext {
  engine: CompletionEngine;
  cache: ResponseCache | null;
  clock: Clock;
  /** The SQLite usage log, when `usageLog` was asked for. */
  usageLog?: SqliteUsageLog;
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
      cache = SqliteResponseCache.open(opts.cachePathRoot ?? DEFAULT_CACHE_ROOT, opts.seed ?? DEFAULT_SEED, opts.onEvent);
      ownsCache = true;
    }
  }
  const usageLog = opts.usageLog
    ? new SqliteUsageLog({
        path: usageLogPath(opts.cachePathRoot ?? DEFAULT_CACHE_ROOT),
        runId: opts.usageLog.runId ?? newRunId(clock.now()),
        command: opts.usageLog.command,
        seed: ownsCache ? String(opts.seed ?? DEFAULT_SEED) : null,
        clock,
        ...(opts.usageLog.history !== undefined ? { history: opts.usageLog.history } : {}),
        ...(opts.usageLog.onError ? { onError: opts.usageLog.onError } : {}),
      })
    : undefined;
  const usage = combineSinks(opts.usage, usageLog);
  const engine = new CompletionEngine({
    env: opts.env ?? process.env,
    cache,
    pool: new RequestPool(opts.concurrency ?? 8, () => clock.now()),
    clock,
    ...(opts.transport ? { transport: opts.transport } : {}),
    ...(opts.maxResponseBytes ? { maxResponseBytes: opts.maxResponseBytes } : {}),
    ...(usage ? { usage } : {}),
    ...(opts.random ? { random: opts.random } : {}),
    ...(opts.prices ? { prices: opts.prices } : {}),
    ...(opts.capabilities ? { capabilities: opts.capabilities } : {}),
    ...(opts.configList ? { configList: opts.configList } : {}),
    ...(opts.retry ? { retry: opts.retry } : {}),
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
  });
  return {
    engine,
    cache,
    clock,
    ...(usageLog ? { usageLog } : {}),
    close: () => {
      if (ownsCache) cache?.close();
      usageLog?.close();
      engine.close();
    },
  };
}
