import { join } from 'node:path';
import {
  CompletionEngine,
  SqliteResponseCache,
  UsageLogger,
  type ChatMessage,
  type CompactHistory,
  type FullHistory,
} from '../../src/index.js';
import { appendFull } from '../../src/usage/history.js';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';

const server = useFixtureServer({ apiKeys: [FIXTURE_KEY], retryAfterMs: 20 });
const tmp = useTempDir('autotune-usage-logger-');

function setup() {
  const logger = new UsageLogger();
  const engine = new CompletionEngine({
    env: fixtureEnv(server()),
    cache: new SqliteResponseCache(join(tmp(), 'cache.sqlite')),
    usage: logger,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    random: () => 0.5,
  });
  return { logger, engine };
}

beforeEach(() => server().resetStats());

describe('UsageLogger history (the original start_logging / logged_history)', () => {
  it('compact: a two-turn chat continues one entry keyed by the whole conversation', async () => {
    const { logger, engine } = setup();
    logger.startLogging();
    const turn1: ChatMessage[] = [{ role: 'user', content: 'What is 6 * 7?' }];
    const r1 = await engine.create({ params: { model: 'gpt-3.5-turbo', messages: turn1 } });
    // the caller continues with the reply exactly as returned (refusal: null and all)
    const turn2: ChatMessage[] = [...turn1, r1.choices[0]?.message as ChatMessage, { role: 'user', content: 'And 7 * 8?' }];
    const r2 = await engine.create({ params: { model: 'gpt-3.5-turbo', messages: turn2 } });
    const h = logger.loggedHistory() as CompactHistory;
    const keys = Object.keys(h);
    expect(keys).toHaveLength(1);
    const conversation = JSON.parse(keys[0] as string) as ChatMessage[];
    expect(conversation.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(conversation[3]?.content).toBe((r2.choices[0]?.message as ChatMessage).content);
    const entry = h[keys[0] as string];
    expect(entry?.created_at).toEqual([0, 1]);
    expect(entry?.cost[0]).toBeCloseTo(r1.cost, 12);
    expect(entry?.cost[1]).toBeCloseTo(r2.cost, 12);
    expect(entry?.token_count[1]).toEqual({ model: 'gpt-3.5-turbo', prompt_tokens: r2.usage.prompt_tokens, completion_tokens: r2.usage.completion_tokens, total_tokens: r2.usage.total_tokens });
  });

  it('compact: a legacy prompt is keyed by the prompt and the texts; a repeated (cached) call adds to its entry', async () => {
    const { logger, engine } = setup();
    logger.startLogging({ compact: true });
    const params = { model: 'text-davinci-003', prompt: 'What is 6 * 7?', max_tokens: 50 };
    const a = await engine.create({ params });
    const b = await engine.create({ params });
    expect(b.cached).toBe(true);
    const h = logger.loggedHistory() as CompactHistory;
    expect(Object.keys(h)).toEqual([JSON.stringify(['What is 6 * 7?', a.choices[0]?.text])]);
    expect(Object.values(h)[0]?.created_at).toEqual([0, 1]);
    // cost is nominal (list price), cache hits included, as in the original
    expect(Object.values(h)[0]?.cost).toEqual([a.cost, b.cost]);
  });

  it('full: {request, response} per call index, and no api key anywhere', async () => {
    const { logger, engine } = setup();
    logger.startLogging({ compact: false });
    await engine.create({ params: { model: 'gpt-4', prompt: '{q}', n: 2 }, context: { q: 'What is 2 + 2?' } });
    await engine.create({ params: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] } });
    const h = logger.loggedHistory() as FullHistory;
    expect(Object.keys(h)).toEqual(['0', '1']);
    expect(h[0]?.request).toEqual({ model: 'gpt-4', n: 2, messages: [{ role: 'user', content: 'What is 2 + 2?' }] });
    expect(h[0]?.response.choices).toHaveLength(2);
    expect(h[0]?.response).toMatchObject({ model: 'gpt-4', object: 'chat.completion', cached: false });
    expect(h[1]?.response.model).toBe('gpt-4o-mini');
    const text = JSON.stringify(h);
    expect(text).not.toContain(FIXTURE_KEY);
    expect(text).not.toContain('api_key');
  });

  it('full: credentials a caller put in the request never reach the history (issue #412)', () => {
    const h: FullHistory = {};
    const response = { id: 'x', object: 'chat.completion', created: 0, model: 'm', choices: [], usage: { prompt_tokens: 1, completion_tokens: 0, total_tokens: 1 }, cost: 0, cached: false };
    appendFull(h, 0, { request: { model: 'm', api_key: 'sk-secret', base_url: 'http://x', messages: [] }, response });
    expect(h[0]?.request).toEqual({ model: 'm', messages: [] });
  });

  it('stop, start without reset, summary', async () => {
    const { logger, engine } = setup();
    expect(logger.loggedHistory()).toBeUndefined();
    logger.startLogging({ compact: false });
    await engine.create({ params: { model: 'gpt-4o-mini', prompt: 'one' } });
    const first = logger.loggedHistory() as FullHistory;
    logger.stopLogging();
    expect(logger.logging).toBe(false);
    await engine.create({ params: { model: 'gpt-4o-mini', prompt: 'not logged' } });
    logger.startLogging({ compact: false, resetCounter: false, history: first });
    await engine.create({ params: { model: 'gpt-4o-mini', prompt: 'two' } });
    const h = logger.loggedHistory() as FullHistory;
    expect(Object.keys(h)).toEqual(['0', '1']);
    expect((h[1]?.request.messages as ChatMessage[])[0]?.content).toBe('two');
    // the copy handed out is not the logger's own
    (first as Record<number, unknown>)[5] = 'x';
    expect(Object.keys(logger.loggedHistory() as FullHistory)).toEqual(['0', '1']);
    const s = logger.usageSummary();
    expect(s.by_model['gpt-4o-mini']).toMatchObject({ requests: 3, cache_hits: 0, failed: 0 });
    expect(s.total_cost).toBeCloseTo(server().stats().cost, 12);
  });

  it('forwards every record and call to another sink', async () => {
    const inner = { records: 0, calls: 0 };
    const logger = new UsageLogger({ record: () => void inner.records++, recordCall: () => void inner.calls++ });
    const engine = new CompletionEngine({ env: fixtureEnv(server()), cache: null, usage: logger });
    server().scriptFaults(['429']);
    await engine.create({ params: { model: 'gpt-4o-mini', prompt: 'x' }, retry: { baseDelayMs: 5, maxDelayMs: 10 } });
    expect(inner).toEqual({ records: 2, calls: 1 });
    expect(logger.usageSummary().failures).toEqual({ rate_limit: 1 });
  });
});
