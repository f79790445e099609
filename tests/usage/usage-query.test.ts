import { join } from 'node:path';
import { ConfigError, SqliteUsageLog, openUsageLog, parseSince, queryHitRates, queryUsage, type UsageRecord } from '../../src/index.js';
import { useTempDir } from '../helpers/fixture.js';

const tmp = useTempDir('autotune-usage-query-');
const T0 = Date.parse('2026-11-01T00:00:00Z');
const HOUR = 3_600_000;

function rec(over: Partial<UsageRecord>): UsageRecord {
  return {
    time: T0, model: 'gpt-4', endpoint: 'http://127.0.0.1/v1', config_id: 0, n: 1, prompt_tokens: 10, completion_tokens: 5,
    cost: 0.001, saved: 0, cached: false, latency_ms: 3, outcome: 'ok', attempts: 1, request_key: 'k', ...over,
  };
}

/** Three runs: a tune (gpt-4, a 429 then retried), a test (gpt-4o-mini, a cache hit), a create a day later. */
function seedLog(): string {
  const path = join(tmp(), 'usage.sqlite');
  const tune = new SqliteUsageLog({ path, runId: 'tune-1', command: 'tune', seed: '41', exitHook: null });
  tune.record(rec({ outcome: 'failed', error: 'rate_limit', cost: 0, prompt_tokens: 0, completion_tokens: 0 }));
  tune.record(rec({ time: T0 + 1, outcome: 'retried', attempts: 2, n: 3 }));
  tune.close();
  const test = new SqliteUsageLog({ path, runId: 'test-1', command: 'test', seed: '42', exitHook: null });
  test.record(rec({ time: T0 + HOUR, model: 'gpt-4o-mini', cost: 0.0001 }));
  test.record(rec({ time: T0 + HOUR + 1, model: 'gpt-4o-mini', cost: 0, saved: 0.0001, cached: true, n: 1 }));
  test.close();
  const create = new SqliteUsageLog({ path, runId: 'create-1', command: 'create', seed: '41', exitHook: null });
  create.record(rec({ time: T0 + 24 * HOUR, model: 'gpt-4o-mini', cost: 0.0002, outcome: 'ok' }));
  create.record(rec({ time: T0 + 24 * HOUR + 5, model: 'gpt-4o-mini', outcome: 'failed', error: 'timeout', cost: 0 }));
  create.close();
  return path;
}

describe('parseSince', () => {
  const now = Date.parse('2026-11-02T12:00:00Z');
  it.each([
    ['30m', now - 30 * 60_000],
    ['2h', now - 2 * HOUR],
    ['7d', now - 7 * 24 * HOUR],
    ['90s', now - 90_000],
    ['1w', now - 7 * 24 * HOUR],
    ['2026-11-01', new Date(2026, 10, 1).getTime()],
    ['2026-11-01T09:30:00Z', Date.parse('2026-11-01T09:30:00Z')],
  ])('%s', (text, expected) => {
    expect(parseSince(text, now)).toBe(expected);
  });
  it.each(['yesterday', '2026-13-01', '2026-02-30', '5y', '', '-2h'])('refuses %j with a message naming the flag and the forms', (text) => {
    expect(() => parseSince(text, now)).toThrow(ConfigError);
    expect(() => parseSince(text, now)).toThrow(/^expected a date \(2026-11-01\), an ISO time .* or a duration \(30m, 2h, 7d\), got /);
    let caught: unknown;
    try {
      parseSince(text, now);
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ field: '--since', exitCode: 2 });
  });
});

describe('queryUsage filters', () => {
  it('totals per model, failures by kind, runs newest first', () => {
    const db = openUsageLog(seedLog())!;
    const r = queryUsage(db);
    db.close();
    expect(r.by_model['gpt-4']).toEqual({ requests: 1, cache_hits: 0, prompt_tokens: 10, completion_tokens: 5, cached_tokens: 0, reasoning_tokens: 0, cost: 0.001, estimated_cost: 0, saved: 0, failed: 1 });
    expect(r.by_model['gpt-4o-mini']).toMatchObject({ requests: 2, cache_hits: 1, failed: 1, prompt_tokens: 20 });
    expect(r.totals.requests).toBe(3);
    expect(r.totals.cost).toBeCloseTo(0.0013, 12);
    expect(r.failures).toEqual({ rate_limit: 1, timeout: 1 });
    expect(r.runs.map((x) => x.run_id)).toEqual(['create-1', 'test-1', 'tune-1']);
    expect(r.first).toBe(T0);
    expect(r.last).toBe(T0 + 24 * HOUR + 5);
  });

  it('since (a time), run, command and model narrow the rows', () => {
    const db = openUsageLog(seedLog())!;
    const since = queryUsage(db, { since: T0 + HOUR });
    expect(Object.keys(since.by_model)).toEqual(['gpt-4o-mini']);
    expect(since.runs.map((x) => x.run_id).sort()).toEqual(['create-1', 'test-1']);
    expect(queryUsage(db, { since: parseSince('2h', T0 + 24 * HOUR + 10) }).runs.map((x) => x.run_id)).toEqual(['create-1']);
    expect(queryUsage(db, { run: 'tune-1' }).failures).toEqual({ rate_limit: 1 });
    expect(queryUsage(db, { command: 'test' }).totals).toMatchObject({ requests: 1, cache_hits: 1 });
    expect(queryUsage(db, { model: 'gpt-4' }).totals.requests).toBe(1);
    expect(queryUsage(db, { command: 'create', model: 'gpt-4' }).runs).toEqual([]);
    db.close();
  });

  it('hit rates per seed count samples served from the cache', () => {
    const db = openUsageLog(seedLog())!;
    const rates = queryHitRates(db);
    db.close();
    expect(rates['42']).toEqual({ cache_hits: 1, paid_requests: 1, hit_rate: 0.5 });
    expect(rates['41']).toEqual({ cache_hits: 0, paid_requests: 2, hit_rate: 0 });
  });

  it('no log yet: openUsageLog returns null and creates nothing', () => {
    expect(openUsageLog(join(tmp(), 'nope', 'usage.sqlite'))).toBeNull();
  });
});
