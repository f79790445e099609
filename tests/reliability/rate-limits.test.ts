import { join } from 'node:path';
import { RequestPool, openRunContext } from '../../src/index.js';
import { loadDataset } from '../../src/config/load-dataset.js';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { writeTuneConfig } from '../tune/tune-helpers.js';
import { DIRECT, TEST_DATA, cli, failuresByKind, paidIn, reliabilityTuneYaml, report, usageRows } from './reliability-helpers.js';

// The server takes 2 requests at a time and answers 429 + Retry-After beyond that; autotune
// runs with 8 (4× more). Results must equal an unlimited run, and the 429s stay few.
const CAP = 2;
const CONCURRENCY = 8;
const server = useFixtureServer({ apiKeys: [FIXTURE_KEY], retryAfterMs: 20, latencyMs: 20 });
const tmp = useTempDir('autotune-rate-limits-');

beforeEach(() => {
  server().resetStats();
  server().setOptions({ maxConcurrency: 0, latencyMs: 20 });
});

describe('RequestPool (adaptive concurrency), on a clock of its own', () => {
  it('cuts once per overload, again at once if the smaller window is refused too, and holds below the refused level for the cooldown', () => {
    let now = 0;
    const pool = new RequestPool(8, () => now, 1000);
    const burst = pool.epoch;
    for (let i = 0; i < 6; i++) pool.onRateLimit(burst); // six 429s of one burst: one cut
    expect([pool.cuts, pool.limit]).toEqual([1, 5]);
    now += 20;
    pool.onRateLimit(pool.epoch); // refused again at the smaller window: cut at once
    expect([pool.cuts, pool.limit]).toEqual([2, 3]);
    pool.onRateLimit(burst); // a straggler of the first burst says nothing new
    expect(pool.cuts).toBe(2);
    for (let i = 0; i < 50; i++) pool.onSuccess(); // within the cooldown: back to one below the refused 5
    expect(pool.limit).toBe(4);
    now += 1000;
    for (let i = 0; i < 50; i++) pool.onSuccess(); // after it: on to the maximum, a slot per window of successes
    expect(pool.limit).toBe(8);
  });
});

describe('rate limits: a server capping concurrency at 2, autotune at 8', () => {
  it('the pool backs off on 429 and recovers slowly: 429s ≤ cuts × concurrency, never more than the cap in flight at the server', async () => {
    server().setOptions({ maxConcurrency: CAP });
    const { rows } = await loadDataset(TEST_DATA);
    const ctx = openRunContext({ env: fixtureEnv(server()), cache: false, concurrency: CONCURRENCY });
    const started = Date.now();
    try {
      const answers = await Promise.all(
        rows.slice(0, 150).map((row) => ctx.engine.create({ params: { model: 'gpt-4o-mini', prompt: DIRECT }, context: row })),
      );
      expect(answers).toHaveLength(150);
    } finally {
      ctx.close();
    }
    const s = server().stats();
    const pool = ctx.engine.pool;
    const limited = s.errors.rate_limit;
    report('pool', { requests: s.requests, ok: s.ok, rate_limited: limited, cuts: pool.cuts, pool_max_in_flight: pool.maxInFlight, server_max_in_flight: s.max_in_flight, final_window: pool.limit, ms: Date.now() - started });
    expect(s.ok).toBe(150);
    expect(s.max_in_flight).toBeLessThanOrEqual(CAP);
    expect(pool.cuts).toBeGreaterThan(0);
    // every overload is answered by one cut, and one cut answers at most a window of 429s
    expect(limited).toBeLessThanOrEqual(pool.cuts * CONCURRENCY);
    // and recovery is slow: the limit is probed again about once per second, not at every success
    expect(limited).toBeLessThan(s.ok * 0.2);
  });

  it('test: the same metrics as an unlimited run; every 429 is a failed attempt in the usage log; spend = server cost', async () => {
    const args = (root: string) => ['test', '--model', 'gpt-4o-mini', '--prompt', DIRECT, '--eval', 'builtin:answer_vote', '--data', TEST_DATA, '--limit', '120', '--concurrency', String(CONCURRENCY), '--cache-path-root', root, '--json'];
    const clean = await cli(args('clean'), fixtureEnv(server()), tmp());
    expect(clean.code).toBe(0);
    const cleanStats = server().stats();
    expect(cleanStats.errors.rate_limit).toBe(0);

    server().resetStats();
    server().setOptions({ maxConcurrency: CAP });
    const started = Date.now();
    const limited = await cli(args('limited'), fixtureEnv(server()), tmp());
    const ms = Date.now() - started;
    expect(limited.err).toBe('');
    expect(limited.code).toBe(0);
    const s = server().stats();
    const a = JSON.parse(clean.out) as Record<string, unknown>;
    const b = JSON.parse(limited.out) as Record<string, unknown>;
    expect(b).toEqual({ ...a, cost: expect.any(Number) });
    expect(b.cost).toBeCloseTo(s.cost, 12);
    expect(s.ok).toBe(120);
    expect(s.max_in_flight).toBeLessThanOrEqual(CAP);

    const rows = usageRows(join(tmp(), 'limited'));
    expect(failuresByKind(rows)).toEqual({ rate_limit: s.errors.rate_limit });
    expect(paidIn(rows)).toBeCloseTo(s.cost, 12);
    report('test --limit 120', { rate_limited: s.errors.rate_limit, ok: s.ok, ms });
    expect(s.errors.rate_limit).toBeLessThan(120 * 0.2);
  });

  it('tune: the same best config, metrics and trials as an unlimited run, and reported spend = server cost', async () => {
    const file = writeTuneConfig(tmp(), reliabilityTuneYaml());
    const clean = await cli(['tune', file, '--json', '--cache-path-root', 'clean'], fixtureEnv(server()), tmp());
    expect(clean.code).toBe(0);
    expect(server().stats().errors.rate_limit).toBe(0);

    server().resetStats();
    server().setOptions({ maxConcurrency: CAP });
    const started = Date.now();
    const limited = await cli(['tune', file, '--json', '--cache-path-root', 'limited'], fixtureEnv(server()), tmp());
    const ms = Date.now() - started;
    expect(limited.err).toBe('');
    expect(limited.code).toBe(0);
    const s = server().stats();
    const a = JSON.parse(clean.out) as Record<string, unknown>;
    const b = JSON.parse(limited.out) as Record<string, unknown>;
    expect(b.stop_reason).toBe('num_samples');
    expect({ config: b.best_config, result: b.best_result, trials: b.trials }).toEqual({ config: a.best_config, result: a.best_result, trials: a.trials });
    expect(b.optimization_cost).toBeCloseTo(a.optimization_cost as number, 10);
    expect(b.optimization_cost).toBeCloseTo(s.cost, 10);
    expect(s.max_in_flight).toBeLessThanOrEqual(CAP);
    const rows = usageRows(join(tmp(), 'limited'));
    expect(failuresByKind(rows)).toEqual({ rate_limit: s.errors.rate_limit });
    report('tune num_samples 6', { rate_limited: s.errors.rate_limit, ok: s.ok, ms });
    expect(s.errors.rate_limit).toBeLessThan(s.ok * 0.2);
  });
});
