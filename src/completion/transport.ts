import OpenAI, { AzureOpenAI } from 'openai';
import type { FailureKind } from '../errors.js';
import { AbortRelay } from './abort-relay.js';
import type { BuiltRequest } from './build-request.js';
import { createHttpFetch, type FetchFunction, type HttpFetch } from './http-fetch.js';
import type { ResolvedEndpoint } from './config-list.js';

/** The JSON an OpenAI-compatible server returns for a completion. */
export interface RawCompletion {
  id?: string;
  object?: string;
  created?: number;
  model?: string;
  choices: Array<Record<string, unknown>>;
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number };
}

export interface SendOptions {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/** One failed HTTP attempt, classified so the retry policy and failover can decide. */
export class AttemptError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly status?: number,
    /** Server's Retry-After hint in milliseconds, when it gave one. */
    readonly retryAfterMs?: number,
    /** Nothing answers there (connection refused, or no such host): it is down, not slow. */
    readonly refused = false,
  ) {
    super(message);
    this.name = 'AttemptError';
  }
}

/** Sends one request to one endpoint. Injected into the engine; tests use the real one. */
export interface CompletionTransport {
  send(endpoint: ResolvedEndpoint, req: BuiltRequest, opts: SendOptions): Promise<RawCompletion>;
  /** Close its connections once its requests are done (optional; the transport stays usable). */
  close?(): void;
}

const OPENAI_DEFAULT_BASE = 'https://api.openai.com/v1';

/**
 * Transport over the official `openai` client, for OpenAI and every compatible server, Azure
 * included. The client's own retries are off (`maxRetries: 0`) so that every attempt is seen,
 * counted and logged by autotune's retry loop. Clients are reused per endpoint (keep-alive).
 */
export class OpenAITransport implements CompletionTransport {
  private readonly clients = new Map<string, OpenAI>();
  private readonly relay = new AbortRelay();
  private readonly fetch: FetchFunction;
  /** The keep-alive agents this transport made (not a fetch it was given). */
  private readonly own: HttpFetch | undefined;

  /** `fetch`: what the clients send with; default: keep-alive `node:http` agents (http-fetch.ts), 'global' for Node's fetch. */
  constructor(options: { fetch?: FetchFunction | 'global' } = {}) {
    if (options.fetch === undefined) {
      this.own = createHttpFetch();
      this.fetch = this.own.fetch;
    } else {
      this.own = undefined;
      const given = options.fetch;
      this.fetch = given === 'global' ? (input, init) => globalThis.fetch(input, init) : given;
    }
  }

  /**
   * Close the connections of the agents this transport made (call it when its requests are
   * done: one still in flight is cut off). Idle keep-alive sockets do not keep the process
   * alive, but a long-lived program that opens many run contexts would hold them until each
   * server times them out. A later request opens a new connection.
   */
  close(): void {
    this.own?.close();
  }

  async send(endpoint: ResolvedEndpoint, req: BuiltRequest, opts: SendOptions): Promise<RawCompletion> {
    const model = String(req.body.model);
    const client = this.clientFor(endpoint, model);
    // not the caller's signal itself: the client never removes the listener it adds (AbortRelay)
    const lease = opts.signal ? this.relay.lease(opts.signal) : undefined;
    const options = { timeout: opts.timeoutMs, maxRetries: 0, ...(lease ? { signal: lease.signal } : {}) };
    let raw: unknown;
    const started = Date.now();
    try {
      raw =
        req.api === 'chat'
          ? await client.chat.completions.create(req.body as never, options)
          : await client.completions.create(req.body as never, options);
    } catch (err) {
      const failure = classify(err, endpoint);
      // Under some runtimes (e.g. jest's VM modules) the SDK cannot recognise its own timeout
      // abort and reports a plain connection error: the elapsed time tells them apart.
      if (failure.kind === 'connection' && !failure.refused && Date.now() - started >= opts.timeoutMs * 0.95) {
        throw new AttemptError('timeout', 'request timed out');
      }
      throw failure;
    } finally {
      lease?.release();
    }
    return validateShape(raw);
  }

  private clientFor(ep: ResolvedEndpoint, model: string): OpenAI {
    // Azure puts the deployment (the model) in the path, so it needs one client per model.
    const key = `${ep.id}\u0000${ep.apiType === 'azure' ? model : ''}`;
    let client = this.clients.get(key);
    if (!client) {
      const common = { apiKey: ep.apiKey, maxRetries: 0, defaultHeaders: ep.headers, organization: ep.organization ?? null, fetch: this.fetch };
      client =
        ep.apiType === 'azure'
          ? new AzureOpenAI({ ...common, endpoint: ep.baseURL, apiVersion: ep.apiVersion, deployment: model })
          : new OpenAI({ ...common, baseURL: ep.baseURL ?? OPENAI_DEFAULT_BASE });
      this.clients.set(key, client);
    }
    return client;
  }
}

function validateShape(raw: unknown): RawCompletion {
  if (!raw || typeof raw !== 'object' || !Array.isArray((raw as RawCompletion).choices)) {
    throw new AttemptError('malformed', 'the server answered 200 without a completion (no choices array)');
  }
  return raw as RawCompletion;
}

/**
 * Map an error of the openai client to an AttemptError. Messages never carry the API key, nor
 * the value of a credential header (a gateway may quote the request's headers in its error).
 */
export function classify(err: unknown, ep: ResolvedEndpoint): AttemptError {
  const secrets = [ep.apiKey, ...Object.entries(ep.headers).filter(([name]) => /auth|key|token|secret|pass|cookie|signature/i.test(name)).map(([, v]) => v)].filter((v) => v.length >= 6);
  const redact = (s: string): string => secrets.reduce((out, secret) => out.split(secret).join('***'), s);
  if (err instanceof OpenAI.APIUserAbortError) return new AttemptError('aborted', 'request aborted');
  if (err instanceof OpenAI.APIConnectionTimeoutError) return new AttemptError('timeout', 'request timed out');
  if (err instanceof OpenAI.APIConnectionError) {
    const code = causeCode(err);
    // refused, a host name that does not exist, or a port fetch refuses to use ("bad port"):
    // nothing will answer there, so waiting will not help
    const dead = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || /bad port/i.test(causeMessage(err));
    return new AttemptError('connection', `connection error${code ? ` (${code})` : dead ? ' (bad port)' : ''}`, undefined, undefined, dead);
  }
  if (err instanceof OpenAI.APIError) {
    const status = err.status;
    const msg = redact(err.message);
    const body = err.error as { code?: unknown } | undefined;
    if (status === 429) return new AttemptError('rate_limit', msg, status, retryAfterMs(err.headers));
    if (status === 401) return new AttemptError('auth', msg, status);
    if (status === 403) return new AttemptError('permission', msg, status);
    if (status === 404) return new AttemptError('not_found', msg, status);
    if (status === 400 || status === 422) {
      return new AttemptError(body?.code === 'content_filter' ? 'content_filter' : 'bad_request', msg, status);
    }
    if (status === 408 || status === 409 || (status !== undefined && status >= 500)) {
      return new AttemptError('server_error', msg, status, retryAfterMs(err.headers));
    }
    return new AttemptError('other', msg, status);
  }
  // duck-typed: errors from another realm (VM contexts) fail instanceof checks
  const named = err as { name?: unknown; message?: unknown } | null;
  if (named?.name === 'SyntaxError') return new AttemptError('malformed', `the server answered with malformed JSON: ${String(named.message)}`);
  return new AttemptError('other', redact(typeof named?.message === 'string' ? named.message : String(err)));
}

function causeMessage(err: Error): string {
  const parts: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur && depth < 5; depth++) {
    const m = (cur as { message?: unknown }).message;
    if (typeof m === 'string') parts.push(m);
    cur = (cur as { cause?: unknown }).cause;
  }
  return parts.join(' | ');
}

function causeCode(err: Error): string | undefined {
  let cur: unknown = err;
  for (let depth = 0; cur && depth < 5; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Retry-After as milliseconds: `retry-after-ms`, else `retry-after` seconds or HTTP date. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.get('retry-after-ms') !== null && Number.isFinite(ms) && ms >= 0) return ms;
  const ra = headers.get('retry-after');
  if (ra === null) return undefined;
  const secs = Number(ra);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const date = Date.parse(ra);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}
