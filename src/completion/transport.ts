import { format } from 'node:util';
import OpenAI, { AzureOpenAI } from 'openai';
import type { FailureKind } from '../errors.js';
import { redactCredentialShapes, redactorOf, type Redactor } from '../util/redact.js';
import type { BuiltRequest } from './build-request.js';
import { createHttpFetch, type FetchFunction, type HttpFetch } from './http-fetch.js';
import type { ResolvedEndpoint } from './config-list.js';
import { nLimitFromMessage } from './n-capability.js';
import type { RawCompletion } from './raw-completion.js';
import { fromResponse, toResponsesRequest } from './responses-api.js';
import { serverMessage } from './server-error.js';
import { leaseSignal } from './signal-lease.js';

export type { RawCompletion } from './raw-completion.js';

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

  /** The most samples per request the server said it gives (its error was about n). */
  nLimit: number | undefined = undefined;
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
  private readonly fetch: FetchFunction;
  /** The keep-alive agents this transport made (not a fetch it was given). */
  private readonly own: HttpFetch | undefined;

  /** Where the openai client's own log goes (OPENAI_LOG=debug…), one line at a time, already redacted. */
  private readonly debugLog: (line: string) => void;

  /**
   * `fetch`: what the clients send with; default: keep-alive `node:http` agents (http-fetch.ts),
   * 'global' for Node's fetch. `debugLog`: where the client's log lines go (default stderr:
   * diagnostics never go to stdout, where `--json` output is). `maxResponseBytes`: the most a
   * response body may hold, as sent and decompressed (default 16 MiB; the default fetch only).
   */
  constructor(options: { fetch?: FetchFunction | 'global'; debugLog?: (line: string) => void; maxResponseBytes?: number | undefined } = {}) {
    this.debugLog = options.debugLog ?? ((line) => process.stderr.write(`${line}\n`));
    if (options.fetch === undefined) {
      this.own = createHttpFetch(options.maxResponseBytes ? { maxResponseBytes: options.maxResponseBytes } : {});
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
    // not the caller's signal itself: the client never removes the listener it adds (signal-lease.ts)
    const lease = opts.signal ? leaseSignal(opts.signal) : undefined;
    const options = { timeout: opts.timeoutMs, maxRetries: 0, ...(lease ? { signal: lease.signal } : {}) };
    let raw: unknown;
    const started = Date.now();
    try {
      raw =
        req.api === 'chat'
          ? await client.chat.completions.create(req.body as never, options)
          : req.api === 'responses'
            ? fromResponse(await client.responses.create(toResponsesRequest(req.body) as never, options))
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
      const common = {
        apiKey: ep.apiKey,
        maxRetries: 0,
        defaultHeaders: ep.headers,
        organization: ep.organization ?? null,
        project: ep.project ?? null,
        fetch: this.fetch,
        logger: clientLogger(redactorOf(ep.secrets), this.debugLog),
      };
      // Azure: the base URL is given whole (`{endpoint}/openai`, as the client would build it),
      // never as `endpoint`: the client reads OPENAI_BASE_URL as a default base URL, and refuses
      // an endpoint beside it ("baseURL and endpoint are mutually exclusive").
      client =
        ep.apiType === 'azure'
          ? new KeepBodyAzure({ ...common, baseURL: `${(ep.baseURL ?? '').replace(/\/+$/, '')}/openai`, apiVersion: ep.apiVersion, deployment: model })
          : new KeepBodyOpenAI({ ...common, baseURL: ep.baseURL ?? OPENAI_DEFAULT_BASE });
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

/** The error body as the server sent it (the openai client keeps only `error` of a JSON body). */
const SERVER_BODY = Symbol('serverBody');

function keepBody(err: InstanceType<typeof OpenAI.APIError>, body: unknown, text: string | undefined): InstanceType<typeof OpenAI.APIError> {
  Object.defineProperty(err, SERVER_BODY, { value: { body, text }, enumerable: false });
  return err;
}

/** The openai client, keeping the whole error body, so the server's message is never lost. */
class KeepBodyOpenAI extends OpenAI {
  protected override makeStatusError(status: number, error: object, message: string | undefined, headers: Headers): InstanceType<typeof OpenAI.APIError> {
    return keepBody(super.makeStatusError(status, error, message, headers), error, message);
  }
}

class KeepBodyAzure extends AzureOpenAI {
  protected override makeStatusError(status: number, error: object, message: string | undefined, headers: Headers): InstanceType<typeof OpenAI.APIError> {
    return keepBody(super.makeStatusError(status, error, message, headers), error, message);
  }
}

/**
 * The openai client's logger (it logs when OPENAI_LOG is set): to the debug sink, never stdout
 * (the client's default is the console, whose debug and info go to stdout and break `--json`),
 * with the endpoint's secrets and any credential-shaped value redacted (the client hides
 * `authorization` and `api-key` itself, not a gateway's own credential headers).
 */
function clientLogger(redact: Redactor, write: (line: string) => void): Record<'error' | 'warn' | 'info' | 'debug', (...args: unknown[]) => void> {
  const log = (level: string) => (...args: unknown[]) => write(redactCredentialShapes(redact(`openai ${level}: ${format(...args)}`)));
  return { error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug') };
}

/** `status message` as the server said it, whatever the body's shape (first 300 characters). */
function statusMessage(err: InstanceType<typeof OpenAI.APIError>): string {
  const kept = (err as unknown as Record<symbol, { body: unknown; text: string | undefined } | undefined>)[SERVER_BODY];
  const said = kept ? serverMessage(kept.body, kept.text) : undefined;
  if (said === undefined) return err.message;
  return err.status ? `${err.status} ${said}` : said;
}

/**
 * Map an error of the openai client to an AttemptError, with the server's own message. Messages
 * never carry a secret of the endpoint (a gateway may quote the request's headers in its error).
 */
export function classify(err: unknown, ep: ResolvedEndpoint): AttemptError {
  const redact = redactorOf(ep.secrets);
  if (err instanceof OpenAI.APIUserAbortError) return new AttemptError('aborted', 'request aborted');
  if (err instanceof OpenAI.APIConnectionTimeoutError) return new AttemptError('timeout', 'request timed out');
  if (err instanceof OpenAI.APIConnectionError) {
    const code = causeCode(err);
    // a body that never ends, or a gzip bomb: the server's fault, cut off at the limit
    if (code === 'E_RESPONSE_TOO_LARGE') return new AttemptError('server_error', causeOf(err, code)?.message ?? 'the response is too large');
    // refused, a host name that does not exist, or a port fetch refuses to use ("bad port"):
    // nothing will answer there, so waiting will not help
    const dead = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || /bad port/i.test(causeMessage(err));
    return new AttemptError('connection', `connection error${code ? ` (${code})` : dead ? ' (bad port)' : ''}`, undefined, undefined, dead);
  }
  if (err instanceof OpenAI.APIError) {
    const status = err.status;
    const msg = redact(statusMessage(err));
    const body = err.error as { code?: unknown } | undefined;
    const nLimit = nLimitFromMessage(msg);
    if (nLimit !== undefined && status !== undefined && status >= 400 && status < 600 && status !== 429) {
      // refused for its n: not worth a retry, the engine asks again within the limit
      const e = new AttemptError(status >= 500 ? 'server_error' : 'bad_request', msg, status);
      e.nLimit = nLimit;
      return e;
    }
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

/** The first error in the cause chain with this `code`. */
function causeOf(err: Error, code: string): Error | undefined {
  let cur: unknown = err;
  for (let depth = 0; cur && depth < 5; depth++) {
    if ((cur as { code?: unknown }).code === code) return cur as Error;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
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
