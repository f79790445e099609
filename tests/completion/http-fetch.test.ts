import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import OpenAI from 'openai';
import { createHttpFetch, DEFAULT_MAX_RESPONSE_BYTES, ResponseTooLargeError, type HttpFetch } from '../../src/completion/http-fetch.js';
import { OpenAITransport } from '../../src/completion/transport.js';
import { FIXTURE_KEY, useFixtureServer } from '../helpers/fixture.js';

const fixture = useFixtureServer({ apiKeys: [FIXTURE_KEY] });

// A small real server on 127.0.0.1 for what the fixture server does not do (gzip, redirects, hangs).
let server: Server;
let base = '';
const seen: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }> = [];
beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += String(d)));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (req.url === '/gzip') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'x-request-id': 'req-1' });
        res.end(gzipSync(JSON.stringify({ ok: true })));
      } else if (req.url === '/redirect') {
        res.writeHead(302, { location: '/elsewhere' });
        res.end();
      } else if (req.url === '/empty') {
        res.writeHead(204);
        res.end();
      } else if (req.url === '/hang') {
        // never answers
      } else {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`echo ${body}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

let http: HttpFetch;
beforeEach(() => {
  http = createHttpFetch();
  seen.length = 0;
});
afterEach(() => http.close());

describe('createHttpFetch', () => {
  it('sends method, headers and body, and answers with a Response', async () => {
    const res = await http.fetch(`${base}/echo?q=1`, { method: 'POST', headers: new Headers({ 'x-one': '1', 'content-type': 'application/json' }), body: '{"a":1}' });
    expect(res.status).toBe(200);
    expect(res.ok).toBe(true);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(await res.text()).toBe('echo {"a":1}');
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/echo?q=1', body: '{"a":1}' });
    expect(seen[0]?.headers['x-one']).toBe('1');
    // plain-object and pair-list headers too
    await http.fetch(`${base}/echo`, { method: 'POST', headers: { 'x-two': '2' }, body: new TextEncoder().encode('bytes') });
    await http.fetch(`${base}/echo`, { headers: [['x-three', '3']] });
    expect(seen.map((s) => [s.headers['x-two'] ?? s.headers['x-three'], s.body])).toEqual([
      [undefined, '{"a":1}'],
      ['2', 'bytes'],
      ['3', ''],
    ]);
  });

  it('reads the body once, by any of the Response methods, and as a stream when asked', async () => {
    const url = `${base}/echo`;
    const post = (body: string): Promise<Response> => http.fetch(url, { method: 'POST', body });
    const a = await post('{"x":1}');
    const copy = a.clone();
    expect(await a.text()).toBe('echo {"x":1}');
    expect(a.bodyUsed).toBe(true);
    // a TypeError of Node's realm, not jest's: compared by name
    await expect(a.text()).rejects.toMatchObject({ name: 'TypeError' });
    expect(() => a.clone()).toThrow(expect.objectContaining({ name: 'TypeError' }));
    expect(new TextDecoder().decode(await copy.arrayBuffer())).toBe('echo {"x":1}');
    expect(await (await (await post('b')).blob()).text()).toBe('echo b');
    expect(Buffer.from(await ((await post('c')) as unknown as { bytes(): Promise<Uint8Array> }).bytes()).toString()).toBe('echo c');
    const streamed = await post('s');
    const chunks: Uint8Array[] = [];
    for await (const chunk of streamed.body as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
    expect(Buffer.concat(chunks).toString()).toBe('echo s');
    expect(streamed.bodyUsed).toBe(true);
    expect(streamed.url).toBe(url);
    expect([streamed.ok, streamed.status, streamed.redirected]).toEqual([true, 200, false]);
  });

  it('decodes a gzip body, keeps statuses without a body, does not follow redirects', async () => {
    const gz = await http.fetch(`${base}/gzip`);
    expect(await gz.json()).toEqual({ ok: true });
    expect(gz.headers.get('x-request-id')).toBe('req-1');
    const empty = await http.fetch(`${base}/empty`);
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
    expect(await empty.text()).toBe('');
    const moved = await http.fetch(`${base}/redirect`);
    expect(moved.status).toBe(302);
    expect(moved.ok).toBe(false);
    expect(moved.headers.get('location')).toBe('/elsewhere');
    expect(seen.map((s) => s.url)).toEqual(['/gzip', '/empty', '/redirect']);
  });

  it('rejects like fetch: AbortError on abort, TypeError("fetch failed") with the network error as cause', async () => {
    const controller = new AbortController();
    const pending = http.fetch(`${base}/hang`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await expect(http.fetch(`${base}/echo`, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const err = await http.fetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect((err as Error).message).toBe('fetch failed');
    expect(((err as Error).cause as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('hands what it does not handle to the global fetch', async () => {
    const res = await http.fetch('data:text/plain,hello');
    expect(await res.text()).toBe('hello');
  });

  it('carries the openai client: the same completion and the same API errors as with the global fetch', async () => {
    const make = (fetch?: HttpFetch['fetch']): OpenAI => new OpenAI({ baseURL: fixture().baseURL, apiKey: FIXTURE_KEY, maxRetries: 0, ...(fetch ? { fetch } : {}) });
    const body = { model: 'gpt-3.5-turbo', messages: [{ role: 'user' as const, content: 'What is 6 * 7? Answer with just the number.' }], temperature: 0 };
    const mine = await make(http.fetch).chat.completions.create(body);
    const stock = await make().chat.completions.create(body);
    expect(mine.choices[0]?.message.content).toBe(stock.choices[0]?.message.content);
    expect(mine.usage).toEqual(stock.usage);
    const bad = await make(http.fetch)
      .chat.completions.create({ ...body, model: 'no-such-model' })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(OpenAI.APIError);
    expect((bad as InstanceType<typeof OpenAI.APIError>).status).toBe(404);
  });
});

describe('response bodies are capped (the fixture server\'s endless and gzip-bomb faults)', () => {
  const completion = (fault: string): RequestInit => ({
    method: 'POST',
    headers: { authorization: `Bearer ${FIXTURE_KEY}`, 'content-type': 'application/json', 'x-fixture-fault': fault },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  });
  const failureOf = (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (e: unknown) => e);
  const causeOf = (err: unknown): unknown => (err instanceof TypeError ? err.cause : err);

  it('a body that never ends fails at the limit (before: 1.5 GB RSS within a 5 s timeout)', async () => {
    const capped = createHttpFetch({ maxResponseBytes: 1024 * 1024 });
    try {
      const err = causeOf(await failureOf(capped.fetch(`${fixture().baseURL}/chat/completions`, completion('endless'))));
      expect(err).toBeInstanceOf(ResponseTooLargeError);
      expect((err as Error).message).toMatch(/response body \(as sent\) is larger than the limit of 1048576 bytes \(max_response_bytes\)/);
    } finally {
      capped.close();
    }
    // the default: 16 MiB
    const err = causeOf(await failureOf(http.fetch(`${fixture().baseURL}/chat/completions`, completion('endless'))));
    expect(err).toMatchObject({ limit: DEFAULT_MAX_RESPONSE_BYTES });
    expect(fixture().stats().errors.endless).toBe(2);
  });

  it('a gzip bomb is inflated to the limit and no further (before: 2.1 GB and a blocked event loop)', async () => {
    const err = causeOf(await failureOf(http.fetch(`${fixture().baseURL}/chat/completions`, completion('gzip-bomb'))));
    expect(err).toBeInstanceOf(ResponseTooLargeError);
    expect((err as Error).message).toMatch(/response body \(decompressed\) is larger than the limit of 16777216 bytes/);
    expect(fixture().stats().errors.gzip_bomb).toBe(1);
  });

  it('through the openai client, the transport counts it as a server error with that message', async () => {
    const transport = new OpenAITransport({ maxResponseBytes: 4 * 1024 * 1024 });
    const endpoint = { id: 'fx', baseURL: fixture().baseURL, apiKey: FIXTURE_KEY, headers: { 'x-fixture-fault': 'gzip-bomb' }, secrets: [FIXTURE_KEY] };
    try {
      const err = await failureOf(transport.send(endpoint as never, { api: 'chat', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } } as never, { timeoutMs: 20_000 }));
      expect(err).toMatchObject({ name: 'AttemptError', kind: 'server_error', message: expect.stringMatching(/response body \(decompressed\) is larger than the limit of 4194304 bytes \(max_response_bytes\)/) });
    } finally {
      transport.close();
    }
  });
});
