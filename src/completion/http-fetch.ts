import http from 'node:http';
import https from 'node:https';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

/** The `fetch` signature the openai client takes (its `fetch` option). */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** A fetch over keep-alive agents of its own; `close()` ends their connections (the agents stay usable). */
export interface HttpFetch {
  readonly fetch: FetchFunction;
  close(): void;
}

/**
 * 16 MiB: the most a response body may hold, as sent and once decompressed. A completion is a
 * few KB (a long one with many samples well under 1 MB); far more means a broken or hostile
 * server (a body that never ends, a gzip bomb), which must not take the process's memory.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/**
 * A response body over the limit: the request fails (the transport counts it as a server
 * error), and nothing more of the body is read or inflated.
 */
export class ResponseTooLargeError extends Error {
  readonly code = 'E_RESPONSE_TOO_LARGE';
  constructor(readonly limit: number, what: 'as sent' | 'decompressed') {
    super(`the server's response body (${what}) is larger than the limit of ${limit} bytes (max_response_bytes); reading stopped there`);
    this.name = 'ResponseTooLargeError';
  }
}

/** Statuses whose response has no body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * A `fetch` for the openai client built on `node:http`/`node:https` with keep-alive agents, for
 * buffered (non-streaming) JSON requests, which is all autotune sends. The openai client does
 * everything else: request building, auth headers, timeouts (through the signal it passes),
 * error types and response parsing. Anything this does not handle — a Request object, a
 * streamed or form body, other protocols — goes to the global fetch.
 *
 * Why not the global fetch: a response body is capped at `maxResponseBytes` both as sent (a
 * body that never ends) and once decompressed (a gzip bomb, stopped by zlib's
 * `maxOutputLength`), and the global fetch decompresses out of sight, so the bytes as sent
 * cannot be counted; and with `NODE_DEBUG=http` Node prints each request made through
 * `node:http` (headers redacted by cli/io.ts), which the global fetch never shows.
 *
 * Behaviour as fetch: redirects are not followed (an API answers with its status), a
 * gzip/deflate/br body is decoded, an abort rejects with an `AbortError`, a network failure
 * rejects with `TypeError('fetch failed')` whose cause is Node's error (its `code`, e.g.
 * ECONNREFUSED, is what the transport classifies).
 */
export function createHttpFetch(options: { maxResponseBytes?: number } = {}): HttpFetch {
  const limit = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const agents = {
    'http:': new http.Agent({ keepAlive: true }),
    'https:': new https.Agent({ keepAlive: true }),
  };
  const fetch: FetchFunction = (input, init) => {
    const body = init?.body;
    const plainBody = body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;
    if (typeof input !== 'string' || !plainBody) return globalThis.fetch(input, init);
    const url = new URL(input);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return globalThis.fetch(input, init);
    return send(url, agents[url.protocol], init ?? {}, body ?? undefined, limit);
  };
  return {
    fetch,
    close: () => {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

// --- internal ---

function send(url: URL, agent: http.Agent, init: RequestInit, body: string | Uint8Array | undefined, limit: number): Promise<Response> {
  const signal = init.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise<Response>((resolve, reject) => {
    const request = url.protocol === 'https:' ? https.request : http.request;
    const onAbort = (): void => {
      req.destroy(abortError(signal));
    };
    const fail = (err: unknown): void => {
      signal?.removeEventListener('abort', onAbort);
      // as fetch does: a TypeError whose cause is Node's error (ECONNREFUSED, ENOTFOUND, …)
      reject(isAbort(err) ? err : new TypeError('fetch failed', { cause: err }));
    };
    const req = request(url, { method: init.method ?? 'GET', headers: headerRecord(init.headers), agent }, (res) => {
      const chunks: Buffer[] = [];
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        // over the limit: stop reading (the socket is closed, so a body that never ends stops)
        if (received > limit) req.destroy(new ResponseTooLargeError(limit, 'as sent'));
        else chunks.push(chunk);
      });
      res.on('error', fail);
      res.on('end', () => {
        signal?.removeEventListener('abort', onAbort);
        try {
          resolve(toResponse(url, res, Buffer.concat(chunks), limit));
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('error', fail);
    signal?.addEventListener('abort', onAbort, { once: true });
    req.end(body);
  });
}

function toResponse(url: URL, res: http.IncomingMessage, raw: Buffer, limit: number): Response {
  const headers = new Headers();
  const h = res.rawHeaders;
  for (let i = 0; i + 1 < h.length; i += 2) headers.append(h[i] as string, h[i + 1] as string);
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 599) throw new TypeError(`fetch failed: the server answered with status ${status}`);
  const content = NULL_BODY.has(status) ? null : decode(raw, headers.get('content-encoding'), limit);
  const response = new Response(content, { status, statusText: res.statusMessage ?? '', headers });
  // a constructed Response has no URL; the client's debug log names it
  Object.defineProperty(response, 'url', { value: url.href });
  return response;
}

/** The body as sent, decoded; inflating stops at `limit` bytes (zlib's maxOutputLength), so a gzip bomb costs at most that. */
function decode(raw: Buffer, encoding: string | null, limit: number): Buffer {
  const options = { maxOutputLength: limit };
  try {
    switch (encoding?.trim().toLowerCase()) {
      case 'gzip':
      case 'x-gzip':
        return gunzipSync(raw, options);
      case 'deflate':
        return inflateSync(raw, options);
      case 'br':
        return brotliDecompressSync(raw, options);
      default:
        return raw;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new ResponseTooLargeError(limit, 'decompressed');
    throw err;
  }
}

function headerRecord(headers: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  const pairs: Iterable<readonly [string, string | readonly string[]]> = headers instanceof Headers ? headers.entries() : Array.isArray(headers) ? (headers as Array<[string, string]>) : Object.entries(headers);
  for (const [name, value] of pairs) out[name] = typeof value === 'string' ? value : value.join(', ');
  return out;
}

function isAbort(err: unknown): boolean {
  return (err as { name?: unknown } | null)?.name === 'AbortError';
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException('This operation was aborted', 'AbortError');
}
