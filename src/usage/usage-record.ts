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
  attempts: number;
  /** Cache key of the request (sha256 of the canonical request, no secrets). */
  request_key: string;
  /** The request as sent (templates filled; no credentials ever). */
  request?: Record<string, unknown>;
  /** The response object, when logging keeps full history. */
  response?: Record<string, unknown>;
}

/** Receives usage records. The SQLite usage log implements it; tests may collect in memory. */
export interface UsageSink {
  record(r: UsageRecord): void;
}
