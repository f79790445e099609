/**
 * autotune's library API. Everything the CLI does goes through these exports.
 * Listed by name on purpose: internals stay private.
 */
export { AutotuneError, ConfigError, DatasetError, BudgetError, ProviderError, CacheError, AbortedError } from './errors.js';
export type { ErrorDetails, FailureKind, AttemptFailure } from './errors.js';

export { CompletionEngine } from './completion/engine.js';
export type { CreateOptions, CompletionFailure, FilterFunction, EngineDeps } from './completion/engine.js';
export type { EngineEvent } from './completion/engine-events.js';
export type { CompletionResponse, RequestParams, EndpointConfig, ChatMessage, TemplateContext, Template, TemplateFunction } from './completion/types.js';
export { extractText, extractTextOrFunctionCall } from './completion/samples.js';
export type { CalledFunction } from './completion/samples.js';
export { fillTemplate, templateFields } from './completion/template.js';
export { buildRequest, cacheIdentity, apiKindOf } from './completion/build-request.js';
export { selectConfigList, readConfigListFile, resolveEndpoint } from './completion/config-list.js';
export type { Env } from './completion/env-refs.js';
export { RequestPool } from './completion/request-pool.js';
export { DEFAULT_RETRY_POLICY } from './completion/retry-policy.js';
export type { RetryPolicy } from './completion/retry-policy.js';
export { OpenAITransport } from './completion/transport.js';
export type { CompletionTransport } from './completion/transport.js';
export type { SpendGuard, Reservation } from './completion/spend-guard.js';

export { BUILTIN_PRICES, resolvePrice } from './pricing/price-table.js';
export type { Price, PriceTable } from './pricing/price-table.js';
export { costOf } from './pricing/cost.js';

export { SqliteResponseCache, cacheDir, CACHE_FILE } from './store/response-cache.js';
export type { ResponseCache, CachedSample } from './store/response-cache.js';
export type { UsageRecord, UsageSink } from './usage/usage-record.js';

export { BudgetLedger } from './tune/budget.js';
export { openRunContext, DEFAULT_CACHE_ROOT, DEFAULT_SEED } from './context.js';
export type { RunContext, RunOptions } from './context.js';
export { loadRequestConfig } from './config/load-request-config.js';
export type { RequestConfigFile } from './config/load-request-config.js';
export { runCreate } from './ops/create-op.js';
export type { CreateInput } from './ops/create-op.js';
export type { Clock } from './util/clock.js';
export { systemClock } from './util/clock.js';
