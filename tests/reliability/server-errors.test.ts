import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { writeTuneConfig } from '../tune/tune-helpers.js';
import { COT, TEST_DATA, cli, failuresByKind, paidIn, reliabilityTuneYaml, report, usageRows } from './reliability-helpers.js';

// 10% of requests answer 500 and 2% hang past the request timeout (the fault seed puts two hangs
// early in the run): every run still
// completes with the results of a clean run, every failed attempt is logged with its kind, and
// the money reported is the money the server charged (a failed attempt costs nothing, a retry
// is paid once).
const FAULTS = { rate500: 0.1, rateHang: 0.02, faultSeed: 35 };
const server = useFixtureServer({ apiKeys: [FIXTURE_KEY], latencyMs: 5 });
const tmp = useTempDir('autotune-server-errors-');
// Only the hangs may time out: an answer cut off by the timeout is still a sample the fixture
// drew, so the retry gets the next one and the results differ from the clean run. At 1 s, an
// ordinary answer was cut off on a machine at load 12 (the server shares the test's process).
const TIMEOUT_S = '5';

beforeEach(() => {
  server().resetStats();
  server().setOptions({ rate500: 0, rateHang: 0 });
});

/** Failed attempts by kind, as the server saw them, in autotune's names. */
function serverFailures(): Record<string, number> {
  const e = server().stats().errors;
  const out: Record<string, number> = {};
  if (e.server_error) out.server_error = e.server_error;
  if (e.hang) out.timeout = e.hang;
  return out;
}

describe('server errors: 10% 500s and 2% hangs', () => {
  it('test completes with the metrics of a clean run; failures by kind in the usage log; spend = server cost', async () => {
    writeFileSync(
      join(tmp(), 'cfg.yaml'),
      ['model: gpt-3.5-turbo', `prompt: "${COT}"`, 'n: 3', 'temperature: 0.8', 'max_tokens: 300', 'eval: builtin:answer_vote', `request_timeout: ${TIMEOUT_S}`, 'retry_timeout: 30', ''].join('\n'),
    );
    const args = (root: string) => ['test', '--config', 'cfg.yaml', '--data', TEST_DATA, '--limit', '100', '--concurrency', '8', '--cache-path-root', root, '--json'];
    const clean = await cli(args('clean'), fixtureEnv(server()), tmp());
    expect(clean.code).toBe(0);

    server().resetStats();
    server().setOptions(FAULTS);
    const started = Date.now();
    const faulted = await cli(args('faulted'), fixtureEnv(server()), tmp());
    const ms = Date.now() - started;
    expect(faulted.code).toBe(0);
    const s = server().stats();
    expect(s.errors.server_error).toBeGreaterThan(0);
    expect(s.errors.hang).toBeGreaterThan(0);
    const a = JSON.parse(clean.out) as Record<string, unknown>;
    const b = JSON.parse(faulted.out) as Record<string, unknown>;
    expect(b).toEqual({ ...a, cost: expect.any(Number) });
    expect(b.failed).toBe(0);
    // retries never double-count: what test reports = what the server charged = the usage log
    expect(b.cost).toBeCloseTo(a.cost as number, 12);
    expect(b.cost).toBeCloseTo(s.cost, 12);
    const rows = usageRows(join(tmp(), 'faulted'));
    expect(paidIn(rows)).toBeCloseTo(s.cost, 12);
    expect(failuresByKind(rows)).toEqual(serverFailures());
    expect(rows.filter((r) => r.outcome === 'failed')).toHaveLength(s.requests - s.ok);
    expect(rows.filter((r) => r.outcome === 'retried').length).toBeGreaterThan(0);
    report('test --limit 100 with 10% 500 + 2% hang', { requests: s.requests, ok: s.ok, errors: serverFailures(), ms });
  }, 120_000);

  it('tune completes with the best config and metrics of a clean run; failures logged; spend = server cost', async () => {
    const file = writeTuneConfig(tmp(), reliabilityTuneYaml({ request_timeout: TIMEOUT_S }));
    const clean = await cli(['tune', file, '--json', '--cache-path-root', 'clean'], fixtureEnv(server()), tmp());
    expect(clean.code).toBe(0);

    server().resetStats();
    server().setOptions(FAULTS);
    const started = Date.now();
    const faulted = await cli(['tune', file, '--json', '--cache-path-root', 'faulted'], fixtureEnv(server()), tmp());
    const ms = Date.now() - started;
    expect(faulted.err).toBe('');
    expect(faulted.code).toBe(0);
    const s = server().stats();
    expect(s.errors.server_error).toBeGreaterThan(0);
    expect(s.errors.hang).toBeGreaterThan(0);
    const a = JSON.parse(clean.out) as Record<string, unknown>;
    const b = JSON.parse(faulted.out) as Record<string, unknown>;
    expect(b.stop_reason).toBe('num_samples');
    expect({ config: b.best_config, result: b.best_result, trials: b.trials }).toEqual({ config: a.best_config, result: a.best_result, trials: a.trials });
    expect(b.optimization_cost).toBeCloseTo(a.optimization_cost as number, 10);
    expect(b.optimization_cost).toBeCloseTo(s.cost, 10);
    const rows = usageRows(join(tmp(), 'faulted'));
    expect(paidIn(rows)).toBeCloseTo(s.cost, 10);
    expect(failuresByKind(rows)).toEqual(serverFailures());
    expect(rows.filter((r) => r.outcome === 'failed')).toHaveLength(s.requests - s.ok);
    report('tune with 10% 500 + 2% hang', { requests: s.requests, ok: s.ok, errors: serverFailures(), ms });
  }, 120_000);
});
