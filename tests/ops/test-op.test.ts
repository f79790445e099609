import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, DatasetError, runTest, type SpendGuard, type TestEvent, type TestInput } from '../../src/index.js';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';

const server = useFixtureServer({ apiKeys: [FIXTURE_KEY], retryAfterMs: 20 });
const tmp = useTempDir('autotune-test-op-');
const ARITH_TEST = fileURLToPath(new URL('../../fixtures/data/arith/test.jsonl', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const DIRECT = '{problem} Answer with just the number.';

beforeEach(() => {
  server().resetStats();
  server().setOptions({ latencyMs: 0 });
});

/** A cheap run: 10 rows, gpt-4o-mini direct answers, the k eval (k = 1…10). */
function input(extra: Partial<TestInput> = {}): TestInput {
  return {
    data: ARITH_TEST,
    limit: 10,
    params: { model: 'gpt-4o-mini', prompt: DIRECT },
    eval: join(FIXTURES, 'k-eval.mjs'),
    env: fixtureEnv(server()),
    cwd: tmp(),
    ...extra,
  };
}

function lines(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

function tempFiles(): string[] {
  return readdirSync(tmp()).filter((f) => f.endsWith('.tmp'));
}

describe('runTest end to end', () => {
  it('scores gpt-3.5-turbo CoT voting above 0.8; a re-run is served from the cache; useCache false re-requests', async () => {
    const config = join(tmp(), 'best.yaml');
    writeFileSync(config, [
      'model: gpt-3.5-turbo',
      'prompt: "{problem} Let\'s think step by step."',
      'temperature: 0.8',
      'n: 5',
      'max_tokens: 300',
      'eval: builtin:answer_vote',
      'metric: success_vote',
      'mode: max',
    ].join('\n'));
    const events: TestEvent[] = [];
    const first = await runTest({ data: ARITH_TEST, configFile: config, limit: 40, env: fixtureEnv(server()), cwd: tmp(), returnResults: true, onEvent: (e) => events.push(e) });
    expect(first.metrics.success_vote).toBeGreaterThan(0.8);
    expect(first).toMatchObject({ instances: 40, total: 40, failed: 0, cached: 0, metric: 'success_vote', mode: 'max' });
    const ci = first.ci.success_vote;
    expect(ci && ci.low <= (first.metrics.success_vote ?? NaN) && (first.metrics.success_vote ?? NaN) <= ci.high).toBe(true);
    expect(ci?.high).toBeGreaterThan(ci?.low ?? 1);
    expect(first.cost).toBeCloseTo(server().stats().cost, 10);
    expect(first.metrics.inference_cost).toBeCloseTo(first.listCost / 40, 12);
    expect(first.results?.map((r) => r.row.id)).toEqual(Array.from({ length: 40 }, (_, i) => `arith-test-${String(i + 1).padStart(3, '0')}`));
    expect(first.results?.every((r) => r.responses.length === 5 && typeof r.responses[0] === 'string')).toBe(true);
    expect(events[0]).toEqual({ type: 'start', total: 40, data: ARITH_TEST });
    expect(events.filter((e) => e.type === 'progress').length).toBe(40);
    expect(server().stats().requests).toBe(40);

    const again = await runTest({ data: ARITH_TEST, configFile: config, limit: 40, env: fixtureEnv(server()), cwd: tmp() });
    expect(server().stats().requests).toBe(40);
    expect(again).toMatchObject({ cached: 40, cost: 0, metrics: first.metrics, instances: 40 });
    expect(again.ci).toEqual(first.ci); // seeded bootstrap

    const fresh = await runTest({ data: ARITH_TEST, configFile: config, limit: 40, useCache: false, env: fixtureEnv(server()), cwd: tmp() });
    expect(server().stats().requests).toBe(80);
    expect(fresh.cached).toBe(0);
    expect(fresh.cost).toBeGreaterThan(0);
  });

  it('keeps at most the window of rows in flight and the server within the concurrency', async () => {
    server().setOptions({ latencyMs: 15 });
    const report = await runTest(input({ limit: 24, concurrency: 4 }));
    expect(report.instances).toBe(24);
    const stats = server().stats();
    expect(stats.max_in_flight).toBeLessThanOrEqual(4);
    // not sequential: several requests were at the server at once (a wall-clock bound failed on a
    // loaded machine, where 24 requests of 15 ms can take longer than 360 ms even in parallel)
    expect(stats.max_in_flight).toBeGreaterThan(1);
  });
});

describe('aggregation', () => {
  it('applies avg, median, min, max, sum, a module and a per-metric map', async () => {
    const expected: Record<string, number> = { avg: 5.5, average: 5.5, median: 5.5, min: 1, max: 10, sum: 55 };
    for (const [agg, k] of Object.entries(expected)) {
      const r = await runTest(input({ agg }));
      expect([agg, r.metrics.k]).toEqual([agg, k]);
      expect(r.ci.k?.low).toBeLessThanOrEqual(k);
    }
    expect((await runTest(input({ agg: join(FIXTURES, 'agg-max.mjs') }))).metrics).toMatchObject({ k: 10, n: 1 });
    expect((await runTest(input({ agg: { k: 'min' } }))).metrics).toMatchObject({ k: 1, n: 1 });
    expect((await runTest(input({ agg: (v: number[]) => v.length }))).metrics).toMatchObject({ k: 10, n: 10 });
    expect(server().stats().requests).toBe(10); // every later run was served from the cache
  });

  it('reads agg_method from the config: a name, a {metric: name} map, a module next to the config', async () => {
    const config = (agg: string): string => {
      const path = join(tmp(), 'c.yaml');
      writeFileSync(path, `model: gpt-4o-mini\nprompt: "${DIRECT}"\neval: ${join(FIXTURES, 'k-eval.mjs')}\nagg_method: ${agg}\n`);
      return path;
    };
    const run = (agg: string) => runTest({ ...input({ params: {}, eval: undefined }), configFile: config(agg) });
    expect((await run('median')).metrics.k).toBe(5.5);
    expect((await run('{k: max, n: sum}')).metrics).toMatchObject({ k: 10, n: 10 });
    writeFileSync(join(tmp(), 'agg.mjs'), 'export default { k: "sum" };\n');
    expect((await run('./agg.mjs')).metrics).toMatchObject({ k: 55, n: 1 });
    expect((await runTest({ ...input({ eval: undefined }), configFile: config('max'), agg: 'min' })).metrics.k).toBe(1); // --agg wins
    await expect(run('{k: mode}')).rejects.toMatchObject({ field: 'agg_method', line: 4, exitCode: 2 });
    await expect(run('mean')).rejects.toThrow(/unknown aggregation 'mean'/);
  });
});

describe('failures', () => {
  it('reports eval errors with the instance index and line and keeps the other instances', async () => {
    const out = join(tmp(), 'out.jsonl');
    const failed: TestEvent[] = [];
    const r = await runTest(input({ limit: 20, eval: join(FIXTURES, 'flaky-eval.mjs'), resultsFile: out, onEvent: (e) => e.type === 'instance_failed' && failed.push(e) }));
    // ids 3, 7, 13, 17 fail (indices 2, 6, 12, 16)
    expect(r).toMatchObject({ instances: 20, failed: 4 });
    expect(r.failures.map((f) => [f.index, f.line, f.kind])).toEqual([[2, 3, 'eval'], [6, 7, 'eval'], [12, 13, 'eval'], [16, 17, 'eval']]);
    expect(r.failures[0]?.message).toBe('eval threw: no score for arith-test-003');
    expect(r.failures[1]?.message).toMatch(/metric 'success' is the string "yes"/);
    expect(failed.length).toBe(4);
    expect(r.metrics.k).toBeCloseTo((55 + 155 - 3 - 7 - 13 - 17) / 16, 10);
    const rows = lines(out);
    expect(rows.length).toBe(20);
    expect(rows[2]).toMatchObject({ id: 'arith-test-003', metrics: null, error: 'eval threw: no score for arith-test-003' });
    expect(rows[3]).toMatchObject({ id: 'arith-test-004', metrics: { success: expect.any(Number), k: 4 } });
    expect(rows[3]).not.toHaveProperty('error');
  });

  it('records failed requests as failed instances and goes on', async () => {
    const config = join(tmp(), 'c.yaml');
    writeFileSync(config, `model: gpt-4o-mini\nprompt: "${DIRECT}"\nretry_timeout: 0\n`);
    server().scriptFaults(['ok', '500', 'ok', 'ok', '500']);
    const r = await runTest({ ...input({ params: {}, concurrency: 1 }), configFile: config });
    expect(r).toMatchObject({ instances: 10, failed: 2 });
    expect(r.failures.map((f) => [f.index, f.kind])).toEqual([[1, 'request'], [4, 'request']]);
    expect(r.failures[0]?.message).toMatch(/^request failed: config 0: server_error 500/);
    expect(r.metrics.k).toBeCloseTo((55 - 2 - 5) / 8, 10);
  });

  it('stops cleanly when the budget refuses a request', async () => {
    let reserved = 0;
    const budget: SpendGuard = { reserve: async () => (++reserved > 4 ? null : { commit: () => undefined, release: () => undefined }) };
    const r = await runTest(input({ budget, concurrency: 1 }));
    expect(r).toMatchObject({ stopped: 'budget', instances: 4, total: 10, failed: 0 });
  });
});

describe('errors before anything is spent', () => {
  it('needs an eval: a config without one is a ConfigError (exit 2) saying how to give one', async () => {
    const config = join(tmp(), 'c.yaml');
    writeFileSync(config, `model: gpt-4o-mini\nprompt: "${DIRECT}"\n`);
    const err = await runTest({ ...input({ eval: undefined }), configFile: config }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({ exitCode: 2, code: 'E_CONFIG_NO_EVAL', file: config });
    expect((err as ConfigError).hint).toMatch(/--eval .*builtin:answer_vote/);
  });

  it('names the line and field of a row missing a template field; nothing requested or written', async () => {
    const data = join(tmp(), 'd.jsonl');
    writeFileSync(data, '{"id": "a-001", "problem": "2+2?"}\n{"id": "a-002", "question": "3+3?"}\n');
    const out = join(tmp(), 'out.jsonl');
    const err = await runTest(input({ data, resultsFile: out })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect(err).toMatchObject({ file: data, line: 2, field: 'problem', exitCode: 2 });
    expect((err as DatasetError).hint).toContain('id, question');
    expect(server().stats().requests).toBe(0);
    expect(existsSync(out)).toBe(false);
    expect(tempFiles()).toEqual([]);
  });

  it('rejects a results path in a missing directory before opening the cache', async () => {
    const err = await runTest(input({ resultsFile: join(tmp(), 'no', 'out.jsonl') })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({ field: '--results', exitCode: 2, message: expect.stringContaining('does not exist') });
    expect(server().stats().requests).toBe(0);
    expect(readdirSync(tmp())).toEqual([]);
  });

  it('names file:line of a bad JSONL line even past the rows that would run first', async () => {
    const data = join(tmp(), 'd.jsonl');
    const good = readFileSync(ARITH_TEST, 'utf8').split('\n').slice(0, 5).join('\n');
    writeFileSync(data, `${good}\n{"id": "x", "problem": oops\n`);
    const err = await runTest(input({ data, resultsFile: join(tmp(), 'out.jsonl') })).catch((e: unknown) => e);
    expect(err).toMatchObject({ file: data, line: 6, code: 'E_DATASET_JSON' });
    expect(server().stats().requests).toBe(0);
    expect(readdirSync(tmp()).sort()).toEqual(['d.jsonl']);
  });
});

describe('results file', () => {
  it('writes row fields, responses, metrics, cost, paid, cached in input order', async () => {
    server().setOptions({ latencyMs: 5 });
    const out = join(tmp(), 'out.jsonl');
    const r = await runTest(input({ limit: 30, resultsFile: out, concurrency: 8 }));
    const rows = lines(out);
    expect(r.resultsFile).toBe(out);
    expect(rows.map((x) => x.id)).toEqual(Array.from({ length: 30 }, (_, i) => `arith-test-${String(i + 1).padStart(3, '0')}`));
    expect(Object.keys(rows[0] ?? {})).toEqual(['id', 'problem', 'answer', 'responses', 'metrics', 'cost', 'paid', 'cached']);
    expect(rows[0]).toMatchObject({ responses: [expect.stringMatching(/^\d+$/)], metrics: { k: 1, n: 1 }, cached: false });
    expect(rows.reduce((a, x) => a + Number(x.paid), 0)).toBeCloseTo(r.cost, 12);
    expect(tempFiles()).toEqual([]);
  });

  it('leaves the previous file when the run fails, and writes the completed instances when interrupted', async () => {
    const out = join(tmp(), 'out.jsonl');
    writeFileSync(out, 'previous\n');
    await expect(runTest(input({ resultsFile: out, agg: join(FIXTURES, 'agg-bad.mjs') }))).rejects.toThrow(/returned string, not a number/);
    expect(readFileSync(out, 'utf8')).toBe('previous\n');
    const boom = (c: Record<string, unknown>): string => {
      if (c.id === 'arith-test-006') throw new Error('template bug');
      return `${String(c.problem)} Answer with just the number.`;
    };
    await expect(runTest(input({ resultsFile: out, params: { model: 'gpt-4o-mini', prompt: boom } }))).rejects.toThrow(/template bug/);
    expect(readFileSync(out, 'utf8')).toBe('previous\n');
    expect(tempFiles()).toEqual([]);

    server().setOptions({ latencyMs: 25 });
    const controller = new AbortController();
    let done = 0;
    const r = await runTest(input({
      limit: 60,
      concurrency: 2,
      resultsFile: out,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'progress' && ++done === 5) controller.abort(new Error('interrupted'));
      },
    }));
    expect(r.stopped).toBe('aborted');
    expect(r.instances).toBeGreaterThanOrEqual(5);
    expect(r.instances).toBeLessThan(60);
    const rows = lines(out);
    expect(rows.length).toBe(r.instances);
    expect(rows.map((x) => Number(String(x.id).slice(-3)))).toEqual(rows.map((_, i) => i + 1));
    expect(tempFiles()).toEqual([]);
  });
});
