import { setMaxListeners } from 'node:events';
import { AbortedError, BudgetError, ConfigError, ProviderError, type AttemptFailure } from '../errors.js';
import { hashOf } from '../util/canonical-json.js';
import { systemClock, type Clock } from '../util/clock.js';
import { costOf } from '../pricing/cost.js';
import { resolvePrice, type Price, type PriceTable } from '../pricing/price-table.js';
import type { CapabilityOverrides } from './model-capabilities.js';
import type { CachedSample, ResponseCache } from '../store/response-cache.js';
import type { UsageSink } from '../usage/usage-record.js';
import { buildRequest, cacheIdentity, type BuiltRequest } from './build-request.js';
import { CacheLoader, type Defer } from './cache-loader.js';
import { defaultEndpoint, endpointIdentity, resolveEndpoint, type ResolvedEndpoint } from './config-list.js';
import type { Env } from './env-refs.js';
import type { EngineEvent } from './engine-events.js';
import { RequestPool } from './request-pool.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';
import { drawSamples } from './draw-samples.js';
import { NLimits } from './n-capability.js';
import { toChoices } from './samples.js';
import type { SpendGuard } from '../budget/spend-guard.js';
import { AttemptError, OpenAITransport, type CompletionTransport } from './transport.js';
import type { CompletionResponse, EndpointConfig, RequestParams, TemplateContext } from './types.js';

/** Decides whether a response is good enough; a rejected one moves on to the next config. */
export type FilterFunction = (context: TemplateContext, response: CompletionResponse) => boolean | Promise<boolean>;

/** One completion call, the original's `Completion.create(...)` arguments as an object. */
export interface CreateOptions {
  /** Request parameters: model, prompt or messages, n, max_tokens, temperature, … */
  params: RequestParams;
  /** Fills `{field}` placeholders and is passed to the filter. */
  context?: TemplateContext | undefined;
  /** Read the cache (default true). false bypasses reading but still stores the answer. */
  useCache?: boolean | undefined;
  /** Endpoints tried in order; defaults to the engine's list. */
  configList?: readonly EndpointConfig[] | undefined;
  filter?: FilterFunction | undefined;
  /** true (default): throw ProviderError when every config fails; false: return a CompletionFailure. */
  raiseOnFailure?: boolean | undefined;
  /** Fill `{field}` in string templates (default true; the original defaulted to false). */
  allowFormatStrTemplate?: boolean | undefined;
  retry?: Partial<RetryPolicy> | undefined;
  /** Reserve worst-case cost here before each paid request (tune's optimization budget). */
  budget?: SpendGuard | undefined;
  signal?: AbortSignal | undefined;
}

/** Returned instead of throwing when `raiseOnFailure` is false (the original returned -1). */
export interface CompletionFailure {
  failed: true;
  failures: AttemptFailure[];
  /** USD spent anyway (e.g. on responses a filter rejected). */
  paid: number;
}

/** What the engine is built from; every field has a production default except the cache. */
export interface EngineDeps {
  env: Env;
  transport?: CompletionTransport;
  /** null: no cache at all (nothing read or stored). */
  cache?: ResponseCache | null;
  usage?: UsageSink | undefined;
  pool?: RequestPool;
  clock?: Clock;
  random?: () => number;
  prices?: PriceTable;
  configList?: readonly EndpointConfig[];
  retry?: Partial<RetryPolicy>;
  onEvent?: (e: EngineEvent) => void;
  /** Reserve for this many completion tokens per sample when max_tokens is not set. */
  defaultMaxTokens?: number;
  /** `model_capabilities:` of the config: what models accept, over the built-in table. */
  capabilities?: CapabilityOverrides;
  /** How long an endpoint that refused connections is skipped (ms). */
  downCooldownMs?: number;
  /** When batched cache lookups are read (default: setImmediate; see CacheLoader). */
  defer?: Defer;
  /** The most a response body may hold, for the default transport (default 16 MiB: see http-fetch.ts). */
  maxResponseBytes?: number | undefined;
}

/**
 * The completion engine: templating, config-list failover, retries, filter, cost, and a cache
 * that reuses samples across n. One engine per run; it holds no global state, so several can
 * live in one process.
 */
export class CompletionEngine {
  readonly pool: RequestPool;
  private readonly transport: CompletionTransport;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly downUntil = new Map<string, number>();
  private readonly warnedPrices = new Set<string>();
  /** How many samples each endpoint gives per request, as learnt during this run. */
  private readonly nLimits = new NLimits();
  private readonly resolved = new WeakMap<EndpointConfig, Map<number, ResolvedEndpoint>>();
  private readonly unlimited = new WeakSet<AbortSignal>();
  private readonly loader: CacheLoader | undefined;
  /** The list used when neither the call nor the engine names one (made once: resolving is cached per entry object). */
  private defaultList: readonly EndpointConfig[] | undefined;

  constructor(private readonly deps: EngineDeps) {
    this.transport = deps.transport ?? new OpenAITransport({ maxResponseBytes: deps.maxResponseBytes });
    this.clock = deps.clock ?? systemClock;
    this.random = deps.random ?? Math.random;
    this.pool = deps.pool ?? new RequestPool(8, () => this.clock.now());
    this.loader = deps.cache ? new CacheLoader(deps.cache, deps.defer) : undefined;
  }

  /** Close what the engine made for itself (its default transport's idle connections); an injected transport is its owner's to close. */
  close(): void {
    if (!this.deps.transport) this.transport.close?.();
  }

  /** Make one completion. See CreateOptions; throws ProviderError when every config fails. */
  create(opts: CreateOptions & { raiseOnFailure?: true }): Promise<CompletionResponse>;
  create(opts: CreateOptions): Promise<CompletionResponse | CompletionFailure>;
  async create(opts: CreateOptions): Promise<CompletionResponse | CompletionFailure> {
    // every in-flight request listens for the abort (and stops when it ends): many at once is
    // normal. Once per signal: a run makes every call with the same one.
    if (opts.signal && !this.unlimited.has(opts.signal)) {
      setMaxListeners(0, opts.signal);
      this.unlimited.add(opts.signal);
    }
    const list = opts.configList ?? this.deps.configList ?? (this.defaultList ??= [defaultEndpoint(this.deps.env)]);
    if (list.length === 0) throw new ConfigError('config_list is empty', { field: 'config_list', hint: 'give at least one endpoint, or none to use OPENAI_API_KEY' });
    const failures: AttemptFailure[] = [];
    let firstConfigError: ConfigError | undefined;
    let paid = 0;
    const last = list.length - 1;
    for (let i = 0; i <= last; i++) {
      let endpoint: ResolvedEndpoint;
      try {
        endpoint = this.resolve(list[i] as EndpointConfig, i);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        firstConfigError ??= err;
        failures.push({ configId: i, endpoint: `config_list[${i}]`, kind: 'auth', message: err.message, attempts: 0 });
        continue;
      }
      const downKey = endpoint.id;
      if (i < last && (this.downUntil.get(downKey) ?? 0) > this.clock.now()) {
        failures.push({ configId: i, endpoint: endpoint.label, kind: 'connection', message: 'skipped: endpoint is down', attempts: 0, unreachable: true });
        continue;
      }
      const params = { ...opts.params, ...endpoint.overrides } as RequestParams;
      const request = buildRequest(params, opts.context, opts.allowFormatStrTemplate ?? true, this.deps.capabilities);
      try {
        const response = await this.completeOn(endpoint, request, opts);
        paid += response.paid;
        const pass = opts.filter ? Boolean(await opts.filter(opts.context ?? {}, { ...response, paid, config_id: i, pass_filter: true })) : true;
        if (pass || i === last) return { ...response, paid, config_id: i, pass_filter: pass };
      } catch (err) {
        if (!(err instanceof AttemptError)) throw err;
        if (err.kind === 'aborted') throw new AbortedError('the completion was interrupted');
        if (err.kind === 'budget') throw new BudgetError(err.message, { hint: 'raise optimization_budget, or lower max_tokens/n' });
        failures.push({ configId: i, endpoint: endpoint.label, kind: err.kind, ...(err.status ? { status: err.status } : {}), message: err.message, attempts: 1, ...(err.refused ? { unreachable: true } : {}) });
        // nothing answers there, or the key is refused: skip it for a while when another can answer
        if (err.refused) this.markDown(downKey, endpoint, err.message);
        // (a refused key is reported by the failover event below; no second warning)
        else if (err.kind === 'auth') this.markDown(downKey, endpoint, err.message, false);
        if (i < last) this.deps.onEvent?.({ type: 'failover', configId: i, endpoint: endpoint.label, kind: err.kind, message: err.message });
      }
    }
    if (firstConfigError && failures.every((f) => f.attempts === 0 && f.kind === 'auth')) throw firstConfigError;
    if (opts.raiseOnFailure === false) return { failed: true, failures, paid };
    throw new ProviderError(describeFailures(failures), failures, {
      hint: 'check the endpoints in config_list (base_url, api_key, model); `autotune usage` lists failures by kind',
    });
  }

  /**
   * Resolve a config-list entry once per entry object and position: the engine's environment is
   * fixed, and expanding, validating and fingerprinting an endpoint on every call showed up in
   * profiles of large runs.
   */
  private resolve(entry: EndpointConfig, index: number): ResolvedEndpoint {
    let byIndex = this.resolved.get(entry);
    if (!byIndex) this.resolved.set(entry, (byIndex = new Map()));
    let endpoint = byIndex.get(index);
    if (!endpoint) byIndex.set(index, (endpoint = resolveEndpoint(entry, index, this.deps.env)));
    return endpoint;
  }

  private markDown(key: string, endpoint: ResolvedEndpoint, reason: string, report = true): void {
    const wasDown = (this.downUntil.get(key) ?? 0) > this.clock.now();
    this.downUntil.set(key, this.clock.now() + (this.deps.downCooldownMs ?? 30_000));
    if (!wasDown && report) this.deps.onEvent?.({ type: 'endpoint_down', configId: endpoint.index, endpoint: endpoint.label, reason });
  }

  private priceOf(model: string, endpoint: ResolvedEndpoint): Price | undefined {
    const found = resolvePrice(model, this.deps.prices, endpoint.price);
    if (!found && !this.warnedPrices.has(model)) {
      this.warnedPrices.add(model);
      this.deps.onEvent?.({ type: 'unknown_price', model });
    }
    return found?.price;
  }

  /**
   * One endpoint: serve what the cache has, pay only for the missing samples, store them.
   * Requests with the same key run one after another (single flight), so concurrent trials
   * asking for the same request share samples instead of paying twice.
   */
  private async completeOn(endpoint: ResolvedEndpoint, request: BuiltRequest, opts: CreateOptions): Promise<Omit<CompletionResponse, 'config_id' | 'pass_filter'>> {
    const identity = cacheIdentity(request, endpointIdentity(endpoint));
    const key = hashOf(identity);
    const cache = this.deps.cache ?? null;
    const useCache = opts.useCache ?? true;
    for (let prev = this.inFlight.get(key); prev; prev = this.inFlight.get(key)) await prev.catch(() => undefined);
    const work = this.fetchSamples(endpoint, request, key, identity, cache, useCache, opts);
    this.inFlight.set(key, work);
    try {
      return await work;
    } finally {
      if (this.inFlight.get(key) === work) this.inFlight.delete(key);
    }
  }

  private async fetchSamples(
    endpoint: ResolvedEndpoint,
    request: BuiltRequest,
    key: string,
    identity: Record<string, unknown>,
    cache: ResponseCache | null,
    useCache: boolean,
    opts: CreateOptions,
    alreadyPaid = 0,
  ): Promise<Omit<CompletionResponse, 'config_id' | 'pass_filter'>> {
    const model = String(request.body.model);
    const n = Number(request.body.n ?? 1);
    const price = this.priceOf(model, endpoint);
    const cached = cache && useCache && this.loader ? await this.loader.load(key, n) : [];
    let fresh: CachedSample[] = [];
    let paid = alreadyPaid;
    let estimated = false;
    let promptTokens = cached[0]?.promptTokens ?? 0;
    // what the provider's prompt cache served and the hidden reasoning, as the fresh answers
    // report them (samples from autotune's cache keep no such detail: 0)
    let cachedPromptTokens = 0;
    let reasoningTokens = 0;
    let id = `cache-${key.slice(0, 24)}`;
    let created = Math.floor(this.clock.now() / 1000);
    if (cached.length < n) {
      const drawn = await drawSamples(
        { transport: this.transport, pool: this.pool, clock: this.clock, random: this.random, usage: this.deps.usage, onEvent: this.deps.onEvent, limits: this.nLimits },
        {
          endpoint,
          request,
          key,
          identity,
          cache,
          n,
          missing: n - cached.length,
          price,
          knownPromptTokens: cached[0]?.promptTokens,
          policy: Object.assign({}, DEFAULT_RETRY_POLICY, this.deps.retry, opts.retry),
          budget: opts.budget,
          signal: opts.signal,
          defaultMaxTokens: this.deps.defaultMaxTokens ?? 4096,
          recheck: Boolean(cache && useCache),
        },
      );
      // another process stored some of them meanwhile: they (and ours) are in the cache now
      if (drawn.incomplete) return this.fetchSamples(endpoint, request, key, identity, cache, useCache, opts, paid + drawn.paid);
      fresh = drawn.samples;
      paid += drawn.paid;
      estimated = drawn.estimated;
      promptTokens = drawn.first?.usage.prompt_tokens ?? promptTokens;
      cachedPromptTokens = drawn.first?.usage.cached_tokens ?? 0;
      reasoningTokens = drawn.reasoningTokens;
      id = drawn.first?.raw.id ?? id;
      created = drawn.first?.raw.created ?? created;
    }
    const samples = [...cached, ...fresh];
    const completionTokens = samples.reduce((a, s) => a + s.completionTokens, 0);
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: cachedPromptTokens },
      completion_tokens_details: { reasoning_tokens: reasoningTokens },
    };
    const cost = price ? costOf({ ...usage, cached_tokens: cachedPromptTokens }, price) : 0;
    if (cached.length > 0) this.recordHit(endpoint, request, key, cached, price, fresh.length === 0);
    const response = {
      id,
      object: request.api === 'completion' ? 'text_completion' : 'chat.completion',
      created,
      model: samples[0]?.model ?? model,
      choices: toChoices(samples),
      usage,
      choice_tokens: samples.map((s) => s.completionTokens),
      cost,
      paid,
      cached: fresh.length === 0,
      cached_choices: cached.length,
      ...(estimated ? { usage_estimated: true as const } : {}),
    };
    // History (the original's _book_keeping): one call record per endpoint that answered.
    this.deps.usage?.recordCall?.({ time: this.clock.now(), request_key: key, config_id: endpoint.index, request: request.body, response });
    return response;
  }

  private recordHit(endpoint: ResolvedEndpoint, request: BuiltRequest, key: string, hit: CachedSample[], price: Price | undefined, whole: boolean): void {
    if (!this.deps.usage) return;
    const completion = hit.reduce((a, s) => a + s.completionTokens, 0);
    // A partial hit saved the completion tokens of the reused samples (the prompt was paid anyway).
    const promptTokens = whole ? (hit[0]?.promptTokens ?? 0) : 0;
    const saved = price ? costOf({ prompt_tokens: promptTokens, completion_tokens: completion }, price) : 0;
    this.deps.usage.record({
      time: this.clock.now(),
      model: hit[0]?.model ?? String(request.body.model),
      endpoint: endpoint.label,
      config_id: endpoint.index,
      n: hit.length,
      prompt_tokens: promptTokens,
      completion_tokens: completion,
      cost: 0,
      saved,
      cached: true,
      latency_ms: 0,
      outcome: 'ok',
      attempts: 0,
      request_key: key,
      request: request.body,
    });
  }
}

function describeFailures(failures: readonly AttemptFailure[]): string {
  if (failures.length === 0) return 'no endpoint answered';
  const lines = failures.map((f) => `  config ${f.configId} (${f.endpoint}): ${f.kind}${f.status ? ` ${f.status}` : ''}: ${f.message}`);
  return `every endpoint in config_list failed:\n${lines.join('\n')}`;
}

