/** What happened to one API attempt or cache hit: one row of the usage log. */
export interface UsageRecord {
  /** Milliseconds since the epoch. */
  time: number;
  model: string;
  /** Endpoint label (scheme, host, path): never a key or query string. */
  endpoint: string;
  config_id: number;
  /** Samples asked for in this attempt (the missing ones) or served from the cache. */
  n: number;
  prompt_tokens: number;
  completion_tokens: number;
  /** Of prompt_tokens: served by the provider's prompt cache (billed at the cached-input price). */
  cached_tokens?: number;
  /** Of completion_tokens: a reasoning model's hidden reasoning. */
  reasoning_tokens?: number;
  /** USD paid (0 for a cache hit or a failed attempt). */
  cost: number;
  /** USD a cache hit saved (its list price); 0 otherwise. */
  saved: number;
  cached: boolean;
  latency_ms: number;
  /** ok: answered at the first try; retried: answered after failed tries; failed: this attempt failed. */
  outcome: 'ok' | 'retried' | 'failed';
  /** Failure kind for failed attempts (rate_limit, timeout, …). */
  error?: string;
  /** What the server said for a failed attempt: status and message, first 300 characters, redacted. */
  error_message?: string;
  /** The tokens (and cost) are autotune's count, not the server's report (missing, invalid or contradicted usage). */
  estimated?: boolean;
  attempts: number;
  /** Cache key of the request (sha256 of the canonical request, no secrets). */
  request_key: string;
  /** The request as sent (templates filled; no credentials ever). */
  request?: Record<string, unknown>;
  /** The response object, when logging keeps full history. */
  response?: Record<string, unknown>;
}

/**
 * One answered call at one endpoint: the original's `_book_keeping(config, response)` point,
 * reached once per endpoint that returned a response (cache hits included, before the filter).
 * History (compact or full) is built from these; usage totals come from UsageRecords.
 */
export interface CallRecord {
  /** Milliseconds since the epoch. */
  time: number;
  /** Cache key of the request (no secrets). */
  request_key: string;
  config_id: number;
  /** The request as built for this endpoint: templates filled, `n` as asked, no credentials. */
  request: Record<string, unknown>;
  /** The response as returned for this endpoint (choices, usage, list-price `cost`, `cached`). */
  response: CallResponse;
}

/** The part of a CompletionResponse that history keeps. */
export interface CallResponse {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: ReadonlyArray<Record<string, unknown>>;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  /** USD at list price (cache hits included), as the original's `response["cost"]`. */
  cost: number;
  cached: boolean;
}

/**
 * Receives usage records. The SQLite usage log implements it; tests may collect in memory.
 * `recordCall` is optional: only sinks that keep history need it.
 */
export interface UsageSink {
  record(r: UsageRecord): void;
  recordCall?(c: CallRecord): void;
}

/** One sink that forwards every record to several (e.g. the SQLite log and an in-memory logger). */
export function combineSinks(...sinks: ReadonlyArray<UsageSink | undefined>): UsageSink | undefined {
  const list = sinks.filter((s): s is UsageSink => s !== undefined);
  if (list.length <= 1) return list[0];
  return {
    record: (r) => {
      for (const s of list) s.record(r);
    },
    recordCall: (c) => {
      for (const s of list) s.recordCall?.(c);
    },
  };
}
