import type { FailureKind } from '../errors.js';

/** How long to keep trying one endpoint. Times are milliseconds. */
export interface RetryPolicy {
  /** Total time budget for retries on one endpoint before failing over (original: 120 s). */
  retryTimeoutMs: number;
  /** Per-attempt timeout (original: 60 s). */
  requestTimeoutMs: number;
  /** First backoff delay when the server gives no Retry-After. */
  baseDelayMs: number;
  /** Cap on one backoff delay. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  retryTimeoutMs: 120_000,
  requestTimeoutMs: 60_000,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
});

/** Failures that waiting can fix. Auth, not-found and bad requests fail over at once. */
export function isRetryable(kind: FailureKind): boolean {
  return kind === 'rate_limit' || kind === 'server_error' || kind === 'timeout' || kind === 'connection' || kind === 'malformed';
}

/**
 * The wait before attempt `attempt + 1`: the server's Retry-After when it sent one (plus up to
 * 10% jitter so a crowd of clients does not return in lockstep), else exponential backoff with
 * jitter, capped. `random` is an injected [0,1) source.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfterMs: number | undefined, random: () => number): number {
  if (retryAfterMs !== undefined) return Math.min(policy.maxDelayMs * 3, retryAfterMs * (1 + 0.1 * random()));
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return exp * (0.5 + 0.5 * random());
}
