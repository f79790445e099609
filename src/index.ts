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
export type { SpendGuard, Reservation } from './budget/spend-guard.js';

export { BUILTIN_PRICES, resolvePrice } from './pricing/price-table.js';
export type { Price, PriceTable } from './pricing/price-table.js';
export { costOf } from './pricing/cost.js';

export { SqliteResponseCache, cacheDir, CACHE_FILE } from './store/response-cache.js';
export type { ResponseCache, CachedSample } from './store/response-cache.js';
export type { UsageRecord, UsageSink, CallRecord, CallResponse } from './usage/usage-record.js';
export { combineSinks } from './usage/usage-record.js';
export { UsageLogger } from './usage/usage-logger.js';
export type { StartLoggingOptions } from './usage/usage-logger.js';
export type { History, CompactHistory, FullHistory, CompactEntry, TokenCount } from './usage/history.js';
export type { UsageSummary, ModelUsage } from './usage/usage-summary.js';
export { SqliteUsageLog } from './usage/sqlite-usage-log.js';
export type { SqliteUsageLogOptions } from './usage/sqlite-usage-log.js';
export { USAGE_FILE, usageLogPath } from './usage/usage-schema.js';
export type { UsageCommand } from './usage/usage-schema.js';
export { newRunId } from './usage/run-id.js';
export { parseSince } from './usage/since.js';
export { openUsageLog, queryUsage, queryHistory, queryHitRates } from './usage/usage-query.js';
export type { UsageFilter, UsageReport, RunInfo, SeedHitRate } from './usage/usage-query.js';
export { clearCache } from './store/cache-clear.js';
export type { ClearOptions, ClearReport, ClearedSeed } from './store/cache-clear.js';
export { cacheStats } from './store/cache-stats.js';
export type { SeedCacheStats } from './store/cache-stats.js';
export type { SkippedEntry } from './store/cache-locate.js';
export { runUsage } from './ops/usage-op.js';
export type { UsageInput, UsageResult } from './ops/usage-op.js';
export { runCacheStats, runCacheClear } from './ops/cache-op.js';
export type { CacheStatsReport, SeedReport } from './ops/cache-op.js';

export { BudgetLedger } from './budget/ledger.js';
export { openRunContext, DEFAULT_CACHE_ROOT, DEFAULT_SEED } from './context.js';
export type { RunContext, RunOptions } from './context.js';
export { loadRequestConfig } from './config/load-request-config.js';
export type { RequestConfigFile } from './config/load-request-config.js';
export { runCreate } from './ops/create-op.js';
export type { CreateInput } from './ops/create-op.js';
export { streamDataset, streamDatasetBatches, loadDataset, checkFields } from './config/load-dataset.js';
export type { DatasetRow, StreamDatasetOptions, LoadDatasetOptions, LoadedDataset } from './config/load-dataset.js';
export { runTest } from './ops/test-op.js';
export type { TestInput, TestReport, TestEvent, InstanceResult, InstanceFailure } from './ops/test-op.js';
export type { Clock } from './util/clock.js';
export { systemClock } from './util/clock.js';

export { tune } from './tune/tuner.js';
export type { TunerOptions, TuneResult, StopReason, SearcherFactory, SearcherHints } from './tune/tuner.js';
export { EVAL_FAILURE_HINT, FAILURE_HINT, FAILED_TRIALS_IN_A_ROW } from './tune/failure-watch.js';
export type { TuneEvent } from './tune/tune-events.js';
export type { TrialSummary, TrialState } from './tune/trial-summary.js';
export { loadTuneConfig, parseTuneConfig, TUNE_KEYS } from './ops/tune-config.js';
export type { TuneConfig, TuneOverrides } from './ops/tune-config.js';
export { runTune, tuneIdentity } from './ops/tune-op.js';
export type { TuneInput, TuneOutcome } from './ops/tune-op.js';
export { paretoFront, isMeasured } from './report/pareto.js';
export type { ParetoPoint } from './report/pareto.js';
export { parsePickRule, applyPickRule, describePickRule } from './report/pick-rule.js';
export type { PickRule } from './report/pick-rule.js';
export { pairedDifference, mcnemarExact } from './report/paired-difference.js';
export type { PairedDifference, PairedOptions } from './report/paired-difference.js';
export { runCompare } from './ops/compare-op.js';
export type { CompareInput, CompareReport, CompareSide } from './ops/compare-op.js';
export { runReport } from './ops/report-op.js';
export type { ReportInput, ReportOutcome } from './ops/report-op.js';
export { readTuneLog } from './report/tune-log-data.js';
export type { TuneReportData } from './report/tune-log-data.js';
export { readTestResults } from './report/test-results-data.js';
export type { TestResultsData } from './report/test-results-data.js';
export { renderReportHtml } from './report/report-html.js';
export { CostAwareSearcher } from './search/cost-aware-searcher.js';
export type { CostAwareSearcherOptions } from './search/cost-aware-searcher.js';
export { RandomSearcher } from './search/random-searcher.js';
export type { Searcher, TrialSuggestion, TrialObservation, TrialStatus } from './search/searcher.js';
export { parseSearchSpace, SearchSpace, createRng } from './space/index.js';
export type { Config, Point, Dimension, Rng } from './space/index.js';
