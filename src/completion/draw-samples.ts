import type { Price } from '../pricing/price-table.js';
import type { CachedSample, ResponseCache } from '../store/response-cache.js';
import type { BuiltRequest } from './build-request.js';
import type { ResolvedEndpoint } from './config-list.js';
import type { EngineEvent } from './engine-events.js';
import { requestSizes, type NLimits } from './n-capability.js';
import type { RetryPolicy } from './retry-policy.js';
import { sendWithRetry, type PaidAnswer, type SendDeps } from './send-with-retry.js';
import { splitSamples } from './samples.js';
import type { SpendGuard } from '../budget/spend-guard.js';
import { AttemptError } from './transport.js';

/** One request's worth of samples to draw at one endpoint. */
export interface DrawParams {
  endpoint: ResolvedEndpoint;
  request: BuiltRequest;
  /** The cache key of the request (its samples are stored under it as they arrive). */
  key: string;
  identity: Record<string, unknown>;
  /** Where each answer's samples are stored the moment it arrives (null: no cache). */
  cache: ResponseCache | null;
  /** Samples wanted in all (n), and how many of them are still missing. */
  n: number;
  missing: number;
  price: Price | undefined;
  knownPromptTokens: number | undefined;
  policy: RetryPolicy;
  budget: SpendGuard | undefined;
  signal: AbortSignal | undefined;
  defaultMaxTokens: number;
  /** Look in the cache again before paying (another process may have stored the samples). */
  recheck: boolean;
}

/** What drawing produced: the samples in the order they were stored, and what they cost. */
export interface Drawn {
  samples: CachedSample[];
  paid: number;
  /** The first answer (for its id and prompt tokens); undefined if none came. */
  first: PaidAnswer | undefined;
  /** Another process stored samples meanwhile: read the cache again for the rest. */
  incomplete: boolean;
  /** Some answer's usage could not be trusted: its tokens are autotune's count. */
  estimated: boolean;
  /** Hidden reasoning tokens of every answer drawn (part of their completion tokens). */
  reasoningTokens: number;
}

/**
 * Draw the missing samples: one request when the endpoint honours n, else as many as its n
 * limit needs, in parallel through the pool. An answer with fewer choices than asked, or an
 * error stating an n limit (llama-server's 400), teaches the limit for the run (reported once
 * as an `n_limit` event) and the samples still missing are asked for again, so n always means
 * n real samples. Each answer is stored as it arrives, so samples paid for are never lost, even
 * when a later request fails (its error is then thrown).
 */
export async function drawSamples(deps: SendDeps & { limits: NLimits }, p: DrawParams): Promise<Drawn> {
  const model = String(p.request.body.model);
  const samples: CachedSample[] = [];
  let paid = 0;
  let first: PaidAnswer | undefined;
  let incomplete = false;
  let estimated = false;
  let reasoningTokens = 0;
  for (let wanted = p.missing; wanted > 0 && !incomplete; ) {
    // the Responses API has no n: one sample per request
    const sizes = requestSizes(wanted, p.request.api === 'responses' ? 1 : deps.limits.get(p.endpoint.id, model));
    const outcomes = await Promise.allSettled(sizes.map((size) => drawOnce(deps, p, size, samples)));
    let failure: unknown;
    outcomes.forEach((o, i) => {
      const size = sizes[i] as number;
      if (o.status === 'rejected') {
        const e = o.reason as unknown;
        if (e instanceof AttemptError && e.nLimit !== undefined && e.nLimit < size) learn(deps, p, e.nLimit, size, 'error', e.message);
        else failure ??= e;
        return;
      }
      if (o.value === null) {
        incomplete = true;
        return;
      }
      const { answer, got } = o.value;
      paid += answer.cost;
      first ??= answer;
      estimated ||= answer.usage.estimated;
      reasoningTokens += answer.usage.reasoning_tokens;
      wanted -= got;
      if (got === 0) failure ??= new AttemptError('malformed', `the server answered ${size === 1 ? 'a request' : `a request for n=${size}`} with no choices`);
      else if (got < size) learn(deps, p, got, size, 'fewer_choices');
    });
    if (failure !== undefined) throw failure;
  }
  return { samples, paid, first, incomplete, estimated, reasoningTokens };
}

async function drawOnce(deps: SendDeps, p: DrawParams, size: number, into: CachedSample[]): Promise<{ answer: PaidAnswer; got: number } | null> {
  const body = { ...p.request.body };
  if (size !== 1 || body.n !== undefined) body.n = size;
  const model = String(p.request.body.model);
  const cache = p.cache;
  let got = 0;
  const answer = await sendWithRetry(deps, {
    endpoint: p.endpoint,
    request: { api: p.request.api, body },
    requestKey: p.key,
    price: p.price,
    knownPromptTokens: p.knownPromptTokens,
    policy: p.policy,
    budget: p.budget,
    signal: p.signal,
    defaultMaxTokens: p.defaultMaxTokens,
    // another process sharing the cache may store these samples while this one waits for a
    // slot: look again before paying for them twice
    stillNeeded: cache && p.recheck ? () => cache.get(p.key, p.n).length < p.n : undefined,
    // stored the moment it arrives (another process sharing the cache then finds it), and kept
    // in that order: a re-run served from the cache sees the samples in the same order
    onAnswer: (raw, usage) => {
      const fresh = splitSamples(raw, model, usage).slice(0, size);
      got = fresh.length;
      into.push(...fresh);
      if (cache) cache.append(p.key, p.identity, fresh);
    },
  });
  return answer ? { answer, got } : null;
}

function learn(deps: SendDeps & { limits: NLimits }, p: DrawParams, limit: number, asked: number, how: 'fewer_choices' | 'error', message?: string): void {
  const model = String(p.request.body.model);
  if (!deps.limits.learn(p.endpoint.id, model, limit)) return;
  const event: EngineEvent = { type: 'n_limit', configId: p.endpoint.index, endpoint: p.endpoint.label, model, limit, asked, how, ...(message ? { message } : {}) };
  deps.onEvent?.(event);
}
