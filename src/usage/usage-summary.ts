import type { UsageRecord } from './usage-record.js';

/** Usage of one model. */
export interface ModelUsage {
  /** Paid attempts that succeeded (HTTP answers). */
  requests: number;
  /** Calls served (wholly or partly) from the cache. */
  cache_hits: number;
  /** Tokens paid for (cache hits excluded). */
  prompt_tokens: number;
  completion_tokens: number;
  /** Of prompt_tokens: served by the provider's prompt cache. */
  cached_tokens: number;
  /** Of completion_tokens: hidden reasoning. */
  reasoning_tokens: number;
  /** USD paid. */
  cost: number;
  /** Of `cost`, USD whose tokens autotune counted because the server's usage could not be trusted. */
  estimated_cost: number;
  /** USD the cache saved (list price of what it served). */
  saved: number;
  /** Attempts that failed (each retry counts). */
  failed: number;
}

/** Totals per model, plus what the log knows about failures. */
export interface UsageSummary {
  /** USD paid, all models. */
  total_cost: number;
  /** Of `total_cost`, USD estimated (see ModelUsage.estimated_cost). */
  total_estimated: number;
  /** USD saved by the cache, all models. */
  total_saved: number;
  by_model: Record<string, ModelUsage>;
  /** Failed attempts by kind (rate_limit, timeout, …). */
  failures: Record<string, number>;
}

/** An empty summary. */
export function emptySummary(): UsageSummary {
  return { total_cost: 0, total_estimated: 0, total_saved: 0, by_model: {}, failures: {} };
}

/** Empty usage for one model. */
export function emptyModelUsage(): ModelUsage {
  return { requests: 0, cache_hits: 0, prompt_tokens: 0, completion_tokens: 0, cached_tokens: 0, reasoning_tokens: 0, cost: 0, estimated_cost: 0, saved: 0, failed: 0 };
}

/** Add one usage record to a summary, in place. */
export function addToSummary(s: UsageSummary, r: UsageRecord): void {
  let m = s.by_model[r.model];
  if (!m) {
    m = emptyModelUsage();
    s.by_model[r.model] = m;
  }
  if (r.cached) {
    m.cache_hits += 1;
    m.saved += r.saved;
    s.total_saved += r.saved;
  } else if (r.outcome === 'failed') {
    m.failed += 1;
    const kind = r.error ?? 'other';
    s.failures[kind] = (s.failures[kind] ?? 0) + 1;
  } else {
    m.requests += 1;
    m.prompt_tokens += r.prompt_tokens;
    m.completion_tokens += r.completion_tokens;
    m.cached_tokens += r.cached_tokens ?? 0;
    m.reasoning_tokens += r.reasoning_tokens ?? 0;
    m.cost += r.cost;
    s.total_cost += r.cost;
    if (r.estimated) {
      m.estimated_cost += r.cost;
      s.total_estimated += r.cost;
    }
  }
}
