import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BudgetLedger,
  CompletionEngine,
  ConfigError,
  CacheError,
  ProviderError,
  BudgetError,
  SqliteResponseCache,
  RequestPool,
  OpenAITransport,
  extractText,
  type UsageRecord,
  type EngineEvent,
} from '../../src/index.js';
import { createServer } from 'node:net';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';

const server = useFixtureServer({ apiKeys: [FIXTURE_KEY], retryAfterMs: 50 });
const tmp = useTempDir();
const problem = 'A baker makes 7 trays of 20 rolls and sells 90 of them. How many rolls are left?';
const cot = '{problem} Let\'s think step by step.';

function engine(extra: Partial<ConstructorParameters<typeof CompletionEngine>[0]> = {}) {
  const usage: UsageRecord[] = [];
  const events: EngineEvent[] = [];
  const cache = new SqliteResponseCache(join(tmp(), 'cache.sqlite'));
  const e = new CompletionEngine({
    env: fixtureEnv(server()),
    cache,
    usage: { record: (r) => usage.push(r) },
    onEvent: (ev) => events.push(ev),
    retry: { baseDelayMs: 10, maxDelayMs: 100 },
    random: () => 0.5,
    ...extra,
  });
  return { e, usage, events, cache };
}

beforeEach(() => server().resetStats());

describe('templating', () => {
  it('fills {field} from the context and sends a prompt to a chat model as one user message', async () => {
    const { e, usage } = engine();
    const r = await e.create({ params: { model: 'gpt-3.5-turbo', prompt: cot, temperature: 0 }, context: { problem } });
    expect(usage[0]?.request?.messages).toEqual([{ role: 'user', content: `${problem} Let's think step by step.` }]);
    expect(extractText(r)[0]).toMatch(/answer is \d+/);
  });

  it('keeps {{ }} as literal braces and fills message contents', async () => {
    const { e, usage } = engine();
    await e.create({
      params: { model: 'gpt-4', messages: [{ role: 'system', content: 'Put the answer in \\boxed{{}}.' }, { role: 'user', content: '{problem}' }] },
      context: { problem },
    });
    expect(usage[0]?.request?.messages).toEqual([
      { role: 'system', content: 'Put the answer in \\boxed{}.' },
      { role: 'user', content: problem },
    ]);
  });

  it('names the missing field and the fields available', async () => {
    const { e } = engine();
    await expect(e.create({ params: { model: 'gpt-4', prompt: '{question}' }, context: { problem, answer: '50' } })).rejects.toThrow(ConfigError);
    await expect(e.create({ params: { model: 'gpt-4', prompt: '{question}' }, context: { problem, answer: '50' } })).rejects.toMatchObject({
      message: expect.stringContaining('{question}'),
      hint: expect.stringContaining('problem, answer'),
    });
    expect(server().stats().requests).toBe(0);
  });

  it('calls a function template with the context', async () => {
    const { e, usage } = engine();
    await e.create({ params: { model: 'gpt-4', prompt: (c) => `Q: ${String(c.problem)}` }, context: { problem } });
    expect(usage[0]?.request?.messages).toEqual([{ role: 'user', content: `Q: ${problem}` }]);
  });

  it('sends legacy completion models to /v1/completions with a prompt', async () => {
    const { e } = engine();
    const r = await e.create({ params: { model: 'text-davinci-003', prompt: cot, max_tokens: 300 }, context: { problem } });
    expect(r.object).toBe('text_completion');
    expect(typeof r.choices[0]?.text).toBe('string');
    expect(server().stats().log.at(-1)?.path).toBe('/v1/completions');
  });

  it('refuses messages for a completion model and both prompt and messages', async () => {
    const { e } = engine();
    await expect(e.create({ params: { model: 'text-davinci-003', messages: [{ role: 'user', content: 'x' }] } })).rejects.toThrow(/legacy completion model/);
    await expect(e.create({ params: { model: 'gpt-4', prompt: 'x', messages: [{ role: 'user', content: 'x' }] } })).rejects.toThrow(/both prompt and messages/);
  });
});

describe('cost and cache', () => {
  it('computes cost from usage and the price table, equal to what the server charged', async () => {
    const { e } = engine();
    const r = await e.create({ params: { model: 'gpt-4', prompt: cot, n: 2 }, context: { problem } });
    const expected = (r.usage.prompt_tokens * 0.03 + r.usage.completion_tokens * 0.06) / 1000;
    expect(r.cost).toBeCloseTo(expected, 12);
    expect(r.paid).toBeCloseTo(server().stats().cost, 12);
    expect(r.choice_tokens.reduce((a, b) => a + b, 0)).toBe(r.usage.completion_tokens);
    expect(r).toMatchObject({ cached: false, config_id: 0, pass_filter: true });
  });

  it('answers the same over Node\'s global fetch (OpenAITransport fetch: global) as over its own', async () => {
    const params = { model: 'gpt-3.5-turbo', prompt: cot, temperature: 0 }; // the fixture is deterministic at 0
    const own = await engine({ cache: null }).e.create({ params, context: { problem } });
    const global = await engine({ cache: null, transport: new OpenAITransport({ fetch: 'global' }) }).e.create({ params, context: { problem } });
    expect(global.choices).toEqual(own.choices);
    expect(global.usage).toEqual(own.usage);
    expect(server().stats().requests).toBe(2);
  });

  it('reads the cache for concurrent requests together: one statement for the lot, the same answers', async () => {
    const { e, cache } = engine();
    const contexts = Array.from({ length: 24 }, (_, i) => ({ problem: `What is ${i} + ${i}?` }));
    const params = { model: 'gpt-3.5-turbo', prompt: '{problem}', n: 2 };
    const first = await Promise.all(contexts.map((context) => e.create({ params, context })));
    expect(server().stats().requests).toBe(24);
    const queries = cache.lookups.queries;
    const again = await Promise.all(contexts.map((context) => e.create({ params, context })));
    expect(cache.lookups.queries).toBe(queries + 1);
    expect(again.map((r) => r.choices)).toEqual(first.map((r) => r.choices));
    expect(again.every((r) => r.cached && r.paid === 0)).toBe(true);
    expect(server().stats().requests).toBe(24);
  });

  it('stores an answer the moment it arrives, before recording it; a failure to store is not retried, and the paid call is recorded', async () => {
    const real = new SqliteResponseCache(join(tmp(), 'cache.sqlite'));
    const storedWhenRecorded: number[] = [];
    const e = new CompletionEngine({
      env: fixtureEnv(server()),
      cache: real,
      usage: { record: (r) => void (r.outcome !== 'failed' && !r.cached && storedWhenRecorded.push(real.get(r.request_key, 10).length)) },
    });
    await e.create({ params: { model: 'gpt-3.5-turbo', prompt: cot, n: 3 }, context: { problem } });
    expect(storedWhenRecorded).toEqual([3]);

    const usage: UsageRecord[] = [];
    const failing = new CompletionEngine({
      env: fixtureEnv(server()),
      cache: { get: (k, n) => real.get(k, n), append: () => { throw new CacheError('cannot write to the cache: disk full'); }, stats: () => real.stats(), close: () => real.close() },
      usage: { record: (r) => usage.push(r) },
      retry: { baseDelayMs: 10, maxDelayMs: 100 },
    });
    server().resetStats();
    await expect(failing.create({ params: { model: 'gpt-3.5-turbo', prompt: 'other {problem}' }, context: { problem } })).rejects.toBeInstanceOf(CacheError);
    expect(server().stats().requests).toBe(1);
    expect(usage.map((u) => [u.outcome, u.cost > 0])).toEqual([['ok', true]]);
    real.close();
  });

  it('serves a repeated request from the cache without a new request', async () => {
    const { e, usage } = engine();
    const params = { model: 'gpt-3.5-turbo', prompt: cot, n: 3, temperature: 0.8 };
    const first = await e.create({ params, context: { problem } });
    const second = await e.create({ params, context: { problem } });
    expect(server().stats().requests).toBe(1);
    expect(second).toMatchObject({ cached: true, paid: 0 });
    expect(second.cost).toBeCloseTo(first.cost, 12);
    expect(extractText(second)).toEqual(extractText(first));
    expect(usage.filter((u) => u.cached)).toHaveLength(1);
    expect(usage.find((u) => u.cached)?.saved).toBeCloseTo(first.cost, 12);
  });

  it('serves n=3 after n=5 from the first 3 cached samples, paying nothing', async () => {
    const { e } = engine();
    const base = { model: 'gpt-3.5-turbo', prompt: cot, temperature: 1 };
    const five = await e.create({ params: { ...base, n: 5 }, context: { problem } });
    const three = await e.create({ params: { ...base, n: 3 }, context: { problem } });
    expect(server().stats().requests).toBe(1);
    expect(three.paid).toBe(0);
    expect(extractText(three)).toEqual(extractText(five).slice(0, 3));
  });

  it('after n=3, n=5 pays only for 2 new samples, and they are fresh ones', async () => {
    const { e } = engine();
    const base = { model: 'gpt-3.5-turbo', prompt: cot, temperature: 1 };
    const three = await e.create({ params: { ...base, n: 3 }, context: { problem } });
    const five = await e.create({ params: { ...base, n: 5 }, context: { problem } });
    const stats = server().stats();
    expect(stats.requests).toBe(2);
    expect(stats.log.map((l) => l.n)).toEqual([3, 2]);
    expect(five.cached_choices).toBe(3);
    expect(five.paid).toBeCloseTo(stats.cost - three.paid, 12);
    // the fixture server draws fresh samples, so 3 + 2 equals a fresh request for 5
    server().resetStats();
    const fresh = await engine({ cache: null }).e.create({ params: { ...base, n: 5 }, context: { problem } });
    expect(extractText(five)).toEqual(extractText(fresh));
  });

  it('with useCache false reads nothing but still stores', async () => {
    const { e } = engine();
    const params = { model: 'gpt-3.5-turbo', prompt: cot, temperature: 0.5 };
    await e.create({ params, context: { problem } });
    const bypass = await e.create({ params, context: { problem }, useCache: false });
    expect(bypass.cached).toBe(false);
    expect(server().stats().requests).toBe(2);
    // the second answer was appended: n=2 now comes from the cache
    const two = await e.create({ params: { ...params, n: 2 }, context: { problem } });
    expect(two.cached).toBe(true);
    expect(server().stats().requests).toBe(2);
  });

  it('never stores the API key or base URL in the cache file', async () => {
    const { e, cache } = engine();
    await e.create({ params: { model: 'gpt-4', prompt: cot }, context: { problem } });
    cache.close();
    const bytes = readFileSync(cache.path).toString('latin1') + readFileSync(`${cache.path}-wal`, { flag: 'a+' }).toString('latin1');
    expect(bytes).toContain('The answer is'); // the file we grep holds the samples
    expect(bytes).not.toContain(FIXTURE_KEY);
    expect(bytes).not.toContain('127.0.0.1');
  });

  it('strips credentials put among the request parameters: not sent in the body, not in the cache', async () => {
    const { e, cache, usage } = engine();
    await e.create({ params: { model: 'gpt-4', prompt: 'hi', api_key: 'sk-leaked-in-params-123', base_url: 'http://x' } as never });
    expect(usage[0]?.request).toEqual({ model: 'gpt-4', messages: [{ role: 'user', content: 'hi' }] });
    cache.close();
    expect(readFileSync(cache.path).toString('latin1')).not.toContain('sk-leaked-in-params-123');
  });

  it('concurrent requests for the same prompt share samples instead of paying twice', async () => {
    const { e } = engine();
    const params = { model: 'gpt-3.5-turbo', prompt: cot, temperature: 0.7 };
    const [a, b] = await Promise.all([
      e.create({ params: { ...params, n: 4 }, context: { problem } }),
      e.create({ params: { ...params, n: 2 }, context: { problem } }),
    ]);
    expect(server().stats().log.reduce((s, l) => s + Number(l.n), 0)).toBe(4);
    expect(extractText(b)).toEqual(extractText(a).slice(0, 2));
  });
});

describe('failover, retries and filter', () => {
  it('fails over from a 401 endpoint to the next one at once', async () => {
    const { e, events } = engine();
    const r = await e.create({
      params: { model: 'gpt-4', prompt: cot },
      context: { problem },
      configList: [
        { base_url: server().baseURL, api_key: 'wrong-key-000000' },
        { base_url: server().baseURL, api_key: FIXTURE_KEY },
      ],
    });
    expect(r.config_id).toBe(1);
    expect(server().stats().errors.auth).toBe(1);
    expect(events).toContainEqual(expect.objectContaining({ type: 'failover', configId: 0, kind: 'auth' }));
  });

  it('fails over from a refused connection and then skips the dead endpoint', async () => {
    const { e, events } = engine();
    const closedPort = await freePort();
    const configList = [
      { base_url: `http://127.0.0.1:${closedPort}/v1`, api_key: FIXTURE_KEY },
      { base_url: server().baseURL, api_key: FIXTURE_KEY, model: 'gpt-3.5-turbo' },
    ];
    const r1 = await e.create({ params: { model: 'gpt-4', prompt: cot }, context: { problem }, configList });
    const r2 = await e.create({ params: { model: 'gpt-4', prompt: '{problem}' }, context: { problem }, configList });
    expect([r1.config_id, r2.config_id]).toEqual([1, 1]);
    expect(r1.model).toBe('gpt-3.5-turbo'); // per-endpoint keys override the call's
    expect(events.filter((ev) => ev.type === 'endpoint_down')).toHaveLength(1);
  });

  it('does not wait on an endpoint nothing can answer (a port fetch refuses) or on a refused key', async () => {
    const { e, usage } = engine();
    const r = await e.create({
      params: { model: 'gpt-4', prompt: 'hi' },
      configList: [
        { base_url: 'http://127.0.0.1:9/v1', api_key: FIXTURE_KEY },
        { base_url: server().baseURL, api_key: 'wrong-key-000000' },
        { base_url: server().baseURL, api_key: FIXTURE_KEY },
      ],
    });
    expect(r.config_id).toBe(2);
    // one attempt each at the refused port and the refused key, no retries
    expect(usage.map((u) => [u.config_id, u.outcome])).toEqual([[0, 'failed'], [1, 'failed'], [2, 'ok']]);
    // the refused key is skipped for a while: the next call does not try it again
    await e.create({ params: { model: 'gpt-4', prompt: 'hello' }, configList: [{ base_url: server().baseURL, api_key: 'wrong-key-000000' }, { base_url: server().baseURL, api_key: FIXTURE_KEY }] });
    expect(server().stats().errors.auth).toBe(1);
  });

  it('retries a 429 after the Retry-After the server sent', async () => {
    const { e, usage, events } = engine();
    server().scriptFaults(['429', '500']);
    const r = await e.create({ params: { model: 'gpt-4', prompt: cot }, context: { problem } });
    expect(r.config_id).toBe(0);
    expect(usage.map((u) => [u.outcome, u.error])).toEqual([
      ['failed', 'rate_limit'],
      ['failed', 'server_error'],
      ['retried', undefined],
    ]);
    const retries = events.filter((ev) => ev.type === 'retry') as Array<{ kind: string; delayMs: number }>;
    expect(retries.map((ev) => ev.kind)).toEqual(['rate_limit', 'server_error']);
    // the wait after the 429 is the server's Retry-After (50 ms), not the 10 ms backoff
    expect(retries[0]?.delayMs).toBeGreaterThanOrEqual(50);
    expect(r.paid).toBeCloseTo(server().stats().cost, 12);
  });

  it('retries timeouts, malformed answers and dropped connections', async () => {
    const { e, usage } = engine({ retry: { baseDelayMs: 5, maxDelayMs: 20, requestTimeoutMs: 300 } });
    server().scriptFaults(['hang', 'malformed', 'drop']);
    const r = await e.create({ params: { model: 'gpt-4', prompt: cot }, context: { problem } });
    expect(r.choices.length).toBe(1);
    expect(usage.filter((u) => u.outcome === 'failed').map((u) => u.error)).toEqual(['timeout', 'malformed', 'connection']);
  });

  it('gives up after retry_timeout and reports every endpoint that failed', async () => {
    const { e } = engine({ retry: { baseDelayMs: 20, maxDelayMs: 40, retryTimeoutMs: 150 } });
    const configList = [{ base_url: server().baseURL, api_key: FIXTURE_KEY, headers: { 'x-fixture-fault': '500' } }];
    const err = await e.create({ params: { model: 'gpt-4', prompt: 'hi' }, configList }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).failures).toEqual([expect.objectContaining({ configId: 0, kind: 'server_error', status: 500 })]);
    expect(server().stats().errors.server_error).toBeGreaterThanOrEqual(2);
    const soft = await e.create({ params: { model: 'gpt-4', prompt: 'hi' }, configList, raiseOnFailure: false });
    expect(soft).toMatchObject({ failed: true, paid: 0 });
  });

  it('fails over at once on an unknown model (404) and names it', async () => {
    const { e } = engine();
    const err = await e.create({ params: { model: 'gpt-9-imaginary', prompt: 'hi' } }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as Error).message).toMatch(/not_found 404/);
    expect(server().stats().requests).toBe(1);
  });

  it('moves on when the filter rejects and counts what the rejected answer cost', async () => {
    const { e } = engine();
    const configList = [
      { base_url: server().baseURL, api_key: FIXTURE_KEY, model: 'gpt-3.5-turbo' },
      { base_url: server().baseURL, api_key: FIXTURE_KEY, model: 'gpt-4' },
    ];
    const seen: number[] = [];
    const r = await e.create({
      params: { model: 'gpt-4', prompt: cot },
      context: { problem },
      configList,
      filter: (_ctx, resp) => {
        seen.push(resp.config_id);
        return resp.model === 'gpt-4';
      },
    });
    expect(seen).toEqual([0, 1]);
    expect(r).toMatchObject({ config_id: 1, pass_filter: true, model: 'gpt-4' });
    expect(r.paid).toBeCloseTo(server().stats().cost, 12);
    const none = await e.create({ params: { model: 'gpt-4', prompt: cot }, context: { problem }, configList, filter: () => false });
    expect(none).toMatchObject({ config_id: 1, pass_filter: false });
  });

  it('reports a missing API key variable clearly, naming the variable', async () => {
    const e = new CompletionEngine({ env: {}, cache: null });
    await expect(e.create({ params: { model: 'gpt-4', prompt: 'hi' } })).rejects.toMatchObject({
      name: 'ConfigError',
      message: expect.stringContaining('OPENAI_API_KEY'),
    });
  });
});

describe('budget and concurrency', () => {
  it('refuses to send a request the budget cannot cover, spending nothing', async () => {
    const { e } = engine();
    const budget = new BudgetLedger(0.001);
    const err = await e.create({ params: { model: 'gpt-4', prompt: cot, max_tokens: 1000 }, context: { problem }, budget }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(BudgetError);
    expect(server().stats().requests).toBe(0);
    expect(budget.spent).toBe(0);
  });

  it('commits the actual cost and never passes the budget', async () => {
    const { e } = engine();
    const budget = new BudgetLedger(0.05);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => e.create({ params: { model: 'gpt-4', prompt: `${i} {problem}`, max_tokens: 100 }, context: { problem }, budget })),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    expect(ok).toBeGreaterThan(0);
    expect(results.some((r) => r.status === 'rejected')).toBe(true);
    expect(budget.spent).toBeCloseTo(server().stats().cost, 12);
    expect(server().stats().cost).toBeLessThanOrEqual(0.05);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    server().setOptions({ latencyMs: 30 });
    try {
      const { e } = engine({ pool: new RequestPool(3) });
      await Promise.all(Array.from({ length: 12 }, (_, i) => e.create({ params: { model: 'gpt-4', prompt: `${i}` } })));
      expect(server().stats().max_in_flight).toBe(3);
      expect(e.pool.maxInFlight).toBe(3);
    } finally {
      server().setOptions({ latencyMs: 0 });
    }
  });
});

/** A port nothing listens on: bind an ephemeral one and close it. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}
