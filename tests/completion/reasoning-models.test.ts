import { join } from 'node:path';
import {
  BudgetError, BudgetLedger, CompletionEngine, ConfigError, SqliteResponseCache, extractText, type UsageRecord,
} from '../../src/index.js';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';

const server = useFixtureServer({ apiKeys: [FIXTURE_KEY] });
const tmp = useTempDir();
const problem = 'A baker makes 7 trays of 20 rolls and sells 90 of them. How many rolls are left?';
// a few-shot system prompt of well over 1,024 tokens: OpenAI caches its prefix
const fewShot = Array.from({ length: 160 }, (_, i) => `Example ${i}: a shop sells ${i + 3} pens at ${i + 2} dollars each, so it takes ${(i + 3) * (i + 2)} dollars.`).join('\n');

function engine() {
  const usage: UsageRecord[] = [];
  const e = new CompletionEngine({ env: fixtureEnv(server()), cache: new SqliteResponseCache(join(tmp(), 'cache.sqlite')), usage: { record: (r) => usage.push(r) } });
  return { e, usage };
}

beforeEach(() => server().resetStats());

describe('reasoning models over HTTP', () => {
  it('sends a config\'s max_tokens to a reasoning model as max_completion_tokens, never dropped', async () => {
    const { e, usage } = engine();
    const r = await e.create({ params: { model: 'gpt-5-mini', prompt: '{problem}', max_tokens: 900, reasoning_effort: 'low' }, context: { problem } });
    expect(extractText(r)[0]).toMatch(/\d/);
    expect(usage[0]?.request).toMatchObject({ max_completion_tokens: 900, reasoning_effort: 'low' });
    expect(usage[0]?.request).not.toHaveProperty('max_tokens');
    // a model that does not reason keeps max_tokens
    await e.create({ params: { model: 'gpt-4o-mini', prompt: '{problem}', max_tokens: 900 }, context: { problem } });
    expect(usage[1]?.request).toMatchObject({ max_tokens: 900 });
  });

  it('refuses a parameter the model cannot take before any request, naming the key and the model', async () => {
    const { e } = engine();
    for (const [params, key] of [
      [{ model: 'o4-mini', temperature: 0.7 }, 'temperature'],
      [{ model: 'o4-mini', reasoning_effort: 'minimal' }, 'reasoning_effort'],
      [{ model: 'gpt-5-mini', stop: ['\n'] }, 'stop'],
      [{ model: 'gpt-4o-mini', reasoning_effort: 'low' }, 'reasoning_effort'],
    ] as const) {
      const err = await e.create({ params: { prompt: '{problem}', ...params }, context: { problem } }).catch((x: unknown) => x);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).message).toContain(key);
      expect((err as ConfigError).message).toContain(params.model);
      expect((err as ConfigError).exitCode).toBe(2);
    }
    expect(server().stats().requests).toBe(0);
  });

  it('reserves the worst case of max_completion_tokens: a request that could pass the budget is never sent', async () => {
    const { e } = engine();
    const budget = new BudgetLedger(0.005);
    const err = await e.create({ params: { model: 'gpt-5-mini', prompt: '{problem}', max_completion_tokens: 20000 }, context: { problem }, budget }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(BudgetError);
    expect(server().stats().requests).toBe(0);
    // cheap ones are sent until the budget is used, and the server never bills more than it
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) => e.create({ params: { model: 'gpt-5-mini', prompt: `${i} {problem}`, max_completion_tokens: 1200, reasoning_effort: 'high', n: 2 }, context: { problem }, budget })),
    );
    expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
    expect(results.some((r) => r.status === 'rejected')).toBe(true);
    expect(server().stats().cost).toBeLessThanOrEqual(0.005);
    expect(budget.spent).toBeCloseTo(server().stats().cost, 12);
  });

  it('charges cached prompt tokens and reasoning tokens exactly as the server bills them', async () => {
    const { e, usage } = engine();
    const budget = new BudgetLedger(5);
    for (const model of ['gpt-5-mini', 'gpt-4o-mini', 'o4-mini']) {
      for (let i = 0; i < 4; i++) {
        await e.create({ params: { model, messages: [{ role: 'system', content: fewShot }, { role: 'user', content: `${i} {problem}` }], n: 2, ...(model === 'gpt-4o-mini' ? {} : { reasoning_effort: 'medium' }) }, context: { problem }, budget });
      }
    }
    const stats = server().stats();
    expect(stats.cached_tokens).toBeGreaterThan(0);
    expect(stats.reasoning_tokens).toBeGreaterThan(0);
    const charged = usage.reduce((s, u) => s + u.cost, 0);
    expect(charged).toBeCloseTo(stats.cost, 10);
    expect(budget.spent).toBeCloseTo(stats.cost, 10);
    expect(usage.filter((u) => u.outcome === 'ok').length).toBe(12);
  });

  it('o3-pro goes to the Responses API: n as several requests, cached and reasoning tokens billed as the server bills them', async () => {
    const { e, usage } = engine();
    const budget = new BudgetLedger(5);
    const r = await e.create({ params: { model: 'o3-pro', messages: [{ role: 'system', content: fewShot }, { role: 'user', content: '{problem}' }], n: 3, max_tokens: 3000, reasoning_effort: 'low' }, context: { problem }, budget });
    expect(r.choices).toHaveLength(3);
    for (const text of extractText(r)) expect(text).toMatch(/\d/);
    const again = await e.create({ params: { model: 'o3-pro', messages: [{ role: 'system', content: fewShot }, { role: 'user', content: '2 {problem}' }], n: 1, max_tokens: 3000 }, context: { problem }, budget });
    expect(again.choices).toHaveLength(1);
    const stats = server().stats();
    expect(stats.ok).toBe(4); // no n in the Responses API: one request per sample
    expect(stats.errors.bad_request).toBe(0);
    expect(stats.reasoning_tokens).toBeGreaterThan(0);
    expect(stats.cached_tokens).toBeGreaterThan(0);
    expect(usage.every((u) => u.request?.max_completion_tokens === 3000)).toBe(true);
    expect(usage.reduce((s, u) => s + u.cost, 0)).toBeCloseTo(stats.cost, 10);
    expect(budget.spent).toBeCloseTo(stats.cost, 10);
    // the cache serves the samples again for nothing
    const cached = await e.create({ params: { model: 'o3-pro', messages: [{ role: 'system', content: fewShot }, { role: 'user', content: '{problem}' }], n: 2, max_tokens: 3000, reasoning_effort: 'low' }, context: { problem } });
    expect(cached.cached).toBe(true);
    expect(server().stats().ok).toBe(4);
  });
});
