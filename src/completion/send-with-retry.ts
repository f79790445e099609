import type { Clock } from '../util/clock.js';
import type { Price } from '../pricing/price-table.js';
import { costOf, estimatePromptTokens, worstCaseCost } from '../pricing/cost.js';
import type { UsageSink } from '../usage/usage-record.js';
import { promptTexts, type BuiltRequest } from './build-request.js';
import type { ResolvedEndpoint } from './config-list.js';
import type { RequestPool } from './request-pool.js';
import { backoffDelay, isRetryable, type RetryPolicy } from './retry-policy.js';
import type { SpendGuard } from '../budget/spend-guard.js';
import { AttemptError, type CompletionTransport, type RawCompletion } from './transport.js';
import type { EngineEvent } from './engine-events.js';
import { checkUsage, type CheckedUsage } from './usage-check.js';
import { completionCap } from './token-limit.js';

/** What one paid answer cost and how it was obtained. */
export interface PaidAnswer {
  raw: RawCompletion;
  /** The tokens charged: the server's usage when it can be trusted, else a count (usage-check.ts). */
  usage: CheckedUsage;
  /** USD actually paid for this request (estimated when `usage.estimated`). */
  cost: number;
  attempts: number;
  latencyMs: number;
}

/** Everything `sendWithRetry` needs besides the request. */
export interface SendDeps {
  transport: CompletionTransport;
  pool: RequestPool;
  clock: Clock;
  random: () => number;
  usage?: UsageSink | undefined;
  onEvent?: ((e: EngineEvent) => void) | undefined;
}

export interface SendParams {
  endpoint: ResolvedEndpoint;
  request: BuiltRequest;
  requestKey: string;
  price: Price | undefined;
  /** Prompt tokens if known from an earlier answer to the same request (tighter reservation). */
  knownPromptTokens?: number | undefined;
  policy: RetryPolicy;
  budget?: SpendGuard | undefined;
  signal?: AbortSignal | undefined;
  /** Longest answer to reserve for when max_tokens is not set. */
  defaultMaxTokens: number;
  /**
   * Asked once a slot is held, before each attempt is sent: false means the request is no
   * longer needed (another process sharing the cache stored the answer while this one waited),
   * and `sendWithRetry` returns null without sending.
   */
  stillNeeded?: (() => boolean) | undefined;
  /** Given the answer the moment it arrives, before it is recorded (the engine stores its samples). */
  onAnswer?: ((raw: RawCompletion, usage: CheckedUsage) => void) | undefined;
}

/**
 * Send one request to one endpoint through the shared pool, retrying what waiting can fix
 * (429, 5xx, timeouts, connection errors, malformed answers) with backoff that honours
 * Retry-After, until `policy.retryTimeoutMs` has passed. Before every attempt the worst-case
 * cost is reserved on the budget; an attempt the budget cannot cover is never sent. Every
 * attempt, failed or not, becomes a usage record. Throws the last AttemptError on giving up;
 * returns null, sending nothing more, once `stillNeeded` says the answer is no longer needed.
 */
export async function sendWithRetry(deps: SendDeps, p: SendParams): Promise<PaidAnswer | null> {
  const { clock } = deps;
  const started = clock.now();
  const model = String(p.request.body.model);
  const n = Number(p.request.body.n ?? 1);
  const texts = promptTexts(p.request);
  // the reservation's worst case: what an answer whose usage cannot be trusted is charged
  const promptBound = p.knownPromptTokens ?? estimatePromptTokens(texts);
  const maxTokens = completionCap(p.request.body);
  const usageContext = { model, chat: p.request.api !== 'completion', promptTexts: texts, promptBound, maxTokens, defaultMaxTokens: p.defaultMaxTokens };
  for (let attempt = 0; ; attempt++) {
    const release = await deps.pool.acquire(p.signal);
    let reservation = null;
    if (p.budget && p.price) {
      reservation = await p.budget.reserve(worstCaseCost(promptBound, (maxTokens ?? p.defaultMaxTokens) * n, p.price));
      if (!reservation) {
        release();
        throw new AttemptError('budget', 'the optimization budget cannot cover this request');
      }
    }
    // The last look at the cache comes after every wait (a slot, the budget) and with nothing
    // awaited between it and the send: another process that stored the answer meanwhile is seen.
    // `t0` is taken before that look, so that a usage record's time − latency_ms is no later than
    // the moment this process last found the answer missing.
    const t0 = clock.now();
    if (p.stillNeeded && !p.stillNeeded()) {
      reservation?.release();
      release();
      return null;
    }
    const epoch = deps.pool.epoch; // a 429 for this request cuts the window only if no cut came since
    let raw: RawCompletion;
    try {
      raw = await deps.transport.send(p.endpoint, p.request, { timeoutMs: p.policy.requestTimeoutMs, signal: p.signal });
    } catch (err) {
      release(); // never hold a slot while backing off
      reservation?.release();
      const failure = err instanceof AttemptError ? err : new AttemptError('other', String(err));
      record(deps, p, { model, n, prompt_tokens: 0, completion_tokens: 0, cost: 0, latency_ms: clock.now() - t0, outcome: 'failed', error: failure.kind, error_message: failure.message, attempts: attempt + 1 });
      if (failure.kind === 'rate_limit') deps.pool.onRateLimit(epoch);
      if (p.signal?.aborted) throw new AttemptError('aborted', 'request aborted');
      // refused for its n: the engine asks again within the limit the server stated
      if (!isRetryable(failure.kind) || failure.refused || failure.nLimit !== undefined) throw failure;
      const delay = backoffDelay(p.policy, attempt, failure.retryAfterMs, deps.random);
      if (clock.now() + delay - started > p.policy.retryTimeoutMs) throw failure;
      deps.onEvent?.({ type: 'retry', configId: p.endpoint.index, endpoint: p.endpoint.label, kind: failure.kind, attempt: attempt + 1, delayMs: Math.round(delay) });
      await clock.sleep(delay, p.signal).catch(() => undefined);
      if (p.signal?.aborted) throw new AttemptError('aborted', 'request aborted');
      continue;
    }
    // Answered: the money first, then the answer to the caller's store (so that another process
    // sharing the cache finds it as soon as possible), then the bookkeeping. A failure to store
    // is the caller's error, never a failed attempt: the answer was paid for.
    try {
      const usage = await checkUsage(raw, usageContext);
      const cost = p.price ? costOf(usage, p.price) : 0;
      reservation?.commit(cost);
      deps.pool.onSuccess();
      if (usage.problem) {
        deps.onEvent?.({ type: 'usage_estimated', configId: p.endpoint.index, endpoint: p.endpoint.label, model, problem: usage.problem, detail: usage.detail ?? '', cost });
      }
      let storeFailure: { error: unknown } | undefined;
      try {
        p.onAnswer?.(raw, usage);
      } catch (error) {
        storeFailure = { error };
      }
      // taken with the record's time, so that time − latency_ms is when the request was sent
      // (storing may wait for another process's write)
      const latencyMs = clock.now() - t0;
      record(deps, p, {
        model: raw.model ?? model,
        n,
        prompt_tokens: usage.prompt_tokens,
        completion_tokens: usage.completion_tokens,
        cached_tokens: usage.cached_tokens,
        reasoning_tokens: usage.reasoning_tokens,
        cost,
        latency_ms: latencyMs,
        outcome: attempt === 0 ? 'ok' : 'retried',
        attempts: attempt + 1,
        ...(usage.estimated ? { estimated: true } : {}),
      });
      if (storeFailure) throw storeFailure.error; // recorded first: the call was paid for
      return { raw, usage, cost, attempts: attempt + 1, latencyMs };
    } finally {
      release();
    }
  }
}

function record(
  deps: SendDeps,
  p: SendParams,
  r: { model: string; n: number; prompt_tokens: number; completion_tokens: number; cached_tokens?: number; reasoning_tokens?: number; cost: number; latency_ms: number; outcome: 'ok' | 'retried' | 'failed'; error?: string; error_message?: string; attempts: number; estimated?: boolean },
): void {
  deps.usage?.record({
    time: deps.clock.now(),
    endpoint: p.endpoint.label,
    config_id: p.endpoint.index,
    saved: 0,
    cached: false,
    request_key: p.requestKey,
    request: p.request.body,
    ...r,
  });
}
