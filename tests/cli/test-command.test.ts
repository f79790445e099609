import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/cli/main.js';
import { createProgress } from '../../src/cli/render/progress.js';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { captureIO, type CapturedIO } from '../helpers/cli.js';

const server = useFixtureServer({ apiKeys: [FIXTURE_KEY], retryAfterMs: 20 });
const tmp = useTempDir('autotune-test-cli-');
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ARITH_TEST = join(ROOT, 'fixtures/data/arith/test.jsonl');
const K_EVAL = join(ROOT, 'tests/ops/fixtures/k-eval.mjs');
const FLAKY_EVAL = join(ROOT, 'tests/ops/fixtures/flaky-eval.mjs');
const DIRECT = '{problem} Answer with just the number.';

beforeEach(() => {
  server().resetStats();
  server().setOptions({ latencyMs: 0 });
});

function capture(opts: { tty?: boolean } = {}): CapturedIO {
  return captureIO(fixtureEnv(server(), { NO_COLOR: '1' }), tmp(), opts);
}

function writeConfig(lines: string[], name = 'best.yaml'): string {
  writeFileSync(join(tmp(), name), `${lines.join('\n')}\n`);
  return name;
}

const CHEAP = ['model: gpt-4o-mini', `prompt: "${DIRECT}"`, `eval: ${K_EVAL}`];

describe('autotune test', () => {
  it('--json prints one object: metrics with inference_cost, ci, instances, failed, cost, cached', async () => {
    const c = capture();
    const config = writeConfig([...CHEAP, 'metric: k']);
    const code = await run(['test', '--config', config, '--data', ARITH_TEST, '--limit', '10', '--json'], c.io);
    expect(code).toBe(0);
    const lines = c.out().trimEnd().split('\n');
    expect(lines.length).toBe(1);
    const summary = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(Object.keys(summary)).toEqual(['metrics', 'ci', 'instances', 'failed', 'cost', 'cached', 'metric', 'failures']);
    expect(summary).toMatchObject({ metrics: { k: 5.5, n: 1, inference_cost: expect.any(Number) }, instances: 10, failed: 0, cached: 0, failures: [] });
    const ci = (summary.ci as Record<string, [number, number]>).k;
    expect(ci?.[0]).toBeLessThan(5.5);
    expect(ci?.[1]).toBeGreaterThan(5.5);
    expect(summary.cost).toBeCloseTo(server().stats().cost, 12);
    expect(c.err()).toBe('');

    // the re-run is served from the cache: no new request reaches the server
    const again = capture();
    expect(await run(['test', '--config', config, '--data', ARITH_TEST, '--limit', '10', '--json'], again.io)).toBe(0);
    expect(server().stats().requests).toBe(10);
    expect(JSON.parse(again.out())).toMatchObject({ cached: 10, cost: 0, ci: summary.ci });
    // --no-cache asks again
    expect(await run(['test', '--config', config, '--data', ARITH_TEST, '--limit', '10', '--json', '--no-cache'], capture().io)).toBe(0);
    expect(server().stats().requests).toBe(20);
  });

  it('prints a table of metrics with 95% CIs, the cost per instance, instances and new spend', async () => {
    const c = capture();
    const code = await run(['test', '--model', 'gpt-4o-mini', '--prompt', DIRECT, '--eval', K_EVAL, '--data', ARITH_TEST, '--limit', '10', '--agg', 'median', '--ci-seed', '3'], c.io);
    expect(code).toBe(0);
    const out = c.out();
    expect(out).toMatch(/metric\s+value\s+95% CI/);
    expect(out).toMatch(/\nk\s+5\.5000\s+\[\d\.\d{4}, \d\.\d{4}\]/);
    expect(out).toMatch(/inference cost\s+\$\S+ per instance \(list price\)/);
    expect(out).toMatch(/instances\s+10, 0 failed/);
    expect(out).toMatch(/spent now\s+\$\S+ \(0 of 10 instances from the cache/);
  });

  it('--agg takes a module; agg_method in the config maps metrics to methods', async () => {
    writeFileSync(join(tmp(), 'agg.mjs'), 'export default (values) => Math.max(...values);\n');
    const a = capture();
    expect(await run(['test', '--config', writeConfig(CHEAP), '--data', ARITH_TEST, '--limit', '10', '--agg', './agg.mjs', '--json'], a.io)).toBe(0);
    expect(JSON.parse(a.out()).metrics).toMatchObject({ k: 10 });
    const b = capture();
    expect(await run(['test', '--config', writeConfig([...CHEAP, 'agg_method: {k: sum, n: min}'], 'c.yaml'), '--data', ARITH_TEST, '--limit', '10', '--json'], b.io)).toBe(0);
    expect(JSON.parse(b.out()).metrics).toMatchObject({ k: 55, n: 1 });
  });

  it('writes the results file in input order', async () => {
    const c = capture();
    expect(await run(['test', '--config', writeConfig(CHEAP), '--data', ARITH_TEST, '--limit', '12', '--concurrency', '4', '--results', 'out.jsonl'], c.io)).toBe(0);
    const rows = readFileSync(join(tmp(), 'out.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => (r.metrics as { k: number }).k)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(rows[0]).toEqual({ ...JSON.parse(readFileSync(ARITH_TEST, 'utf8').split('\n')[0] ?? ''), responses: [expect.any(String)], metrics: { k: 1, n: 1 }, cost: expect.any(Number), paid: expect.any(Number), cached: false });
    expect(c.out()).toMatch(/results\s+.*out\.jsonl/);
  });

  it('reports eval errors with index and line, keeps the rest, and exits 1', async () => {
    const c = capture();
    const code = await run(['test', '--config', writeConfig(CHEAP), '--eval', FLAKY_EVAL, '--data', ARITH_TEST, '--limit', '10', '--json'], c.io);
    expect(code).toBe(1);
    expect(JSON.parse(c.out())).toMatchObject({ instances: 10, failed: 2, failures: [{ index: 2, line: 3, kind: 'eval' }, { index: 6, line: 7, kind: 'eval' }] });
    expect(c.err()).toContain('warning: instance 2 (line 3): eval threw: no score for arith-test-003');
    expect(c.err()).toContain('2 of 10 instances failed and are left out of the metrics: 2 (line 3), 6 (line 7)');
  });

  it('a config without an eval is an error (exit 2) that says how to give one; nothing is requested', async () => {
    const c = capture();
    const code = await run(['test', '--config', writeConfig(['model: gpt-4o-mini', `prompt: "${DIRECT}"`]), '--data', ARITH_TEST], c.io);
    expect(code).toBe(2);
    expect(c.err()).toMatch(/error: .*best\.yaml: eval: .*names no eval/);
    expect(c.err()).toMatch(/hint: pass --eval \.\/eval\.mjs or --eval builtin:answer_vote/);
    expect(server().stats().requests).toBe(0);
  });

  it('a bad JSONL line: exit 2 naming file:line, nothing requested, no results file', async () => {
    writeFileSync(join(tmp(), 'bad.jsonl'), '{"id": "a-001", "problem": "2+2?"}\n\n{"id": "a-002", "problem": 2+2}\n');
    const c = capture();
    const code = await run(['test', '--config', writeConfig(CHEAP), '--data', 'bad.jsonl', '--results', 'out.jsonl'], c.io);
    expect(code).toBe(2);
    expect(c.err()).toMatch(/error: \S*bad\.jsonl:3: not valid JSON .*"problem": 2\+2\}/);
    expect(server().stats().requests).toBe(0);
    expect(readdirSync(tmp()).sort()).toEqual(['bad.jsonl', 'best.yaml']);
  });

  it('a row without a template field: exit 2 naming the line and the field', async () => {
    writeFileSync(join(tmp(), 'd.jsonl'), '{"id": "a-001", "problem": "2+2?"}\n{"id": "a-002", "question": "3+3?"}\n');
    const c = capture();
    expect(await run(['test', '--config', writeConfig(CHEAP), '--data', 'd.jsonl'], c.io)).toBe(2);
    expect(c.err()).toMatch(/error: \S*d\.jsonl:2: problem: the row has no field 'problem'/);
    expect(c.err()).toContain("hint: the row's fields: id, question");
  });

  it('draws a progress bar on a TTY stderr, and none with --json', async () => {
    const c = capture({ tty: true });
    expect(await run(['test', '--config', writeConfig(CHEAP), '--data', ARITH_TEST, '--limit', '10'], c.io)).toBe(0);
    expect(c.err()).toMatch(/test .*100% \| 10\/10 .*failed 0 \| spent \$/);
    const j = capture({ tty: true });
    expect(await run(['test', '--config', writeConfig(CHEAP), '--data', ARITH_TEST, '--limit', '10', '--json'], j.io)).toBe(0);
    expect(j.err()).toBe('');
  });

  it('progress: generic fields, log lines above the bar, a no-op off a terminal', () => {
    const c = capture({ tty: true });
    const bar = createProgress(c.io, { total: 4, label: 'tune', fields: [{ name: 'best', format: (v) => Number(v).toFixed(2) }, { name: 'usd' }] });
    expect(bar.active).toBe(true);
    bar.update(2, { best: 0.5 });
    bar.log('trial 1 done');
    bar.stop();
    bar.stop();
    expect(c.err()).toContain('trial 1 done\n');
    expect(c.err()).toMatch(/tune .*50% \| 2\/4 .*best 0\.50 \| usd –/);
    const plain = capture();
    const off = createProgress(plain.io, { total: 4 });
    off.update(1);
    off.log('hello');
    off.stop();
    expect([off.active, plain.err()]).toEqual([false, 'hello\n']);
  });
});

describe('bin/autotune.js test', () => {
  const BIN = join(ROOT, 'bin/autotune.js');

  function spawnBin(args: string[], env: Record<string, string>): { done: Promise<{ code: number | null; out: string; err: string }>; kill: (s: NodeJS.Signals) => void } {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: tmp(), env: { PATH: process.env.PATH ?? '', ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += String(d)));
    child.stderr.on('data', (d: Buffer) => (err += String(d)));
    const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) => child.on('close', (code) => resolve({ code, out, err })));
    return { done, kill: (s) => child.kill(s) };
  }

  it('runs from the build, and Ctrl-C stops it cleanly with the completed instances written (exit 130)', async () => {
    expect(existsSync(join(ROOT, 'dist/src/cli/main.js'))).toBe(true); // npm run build first
    writeConfig(CHEAP);
    const ok = await spawnBin(['test', '--config', 'best.yaml', '--data', ARITH_TEST, '--limit', '5', '--json'], fixtureEnv(server())).done;
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ instances: 5, failed: 0 });

    server().resetStats();
    server().setOptions({ latencyMs: 60 });
    const child = spawnBin(['test', '--config', 'best.yaml', '--data', ARITH_TEST, '--limit', '200', '--concurrency', '2', '--results', 'out.jsonl', '--no-cache'], fixtureEnv(server()));
    const start = Date.now();
    while (server().stats().ok < 6 && Date.now() - start < 10_000) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGINT');
    const r = await child.done;
    expect(r.code).toBe(130);
    expect(r.err).toMatch(/interrupted: \d+ of 200 instances ran; out\.jsonl holds those/);
    const rows = readFileSync(join(tmp(), 'out.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { metrics: { k: number } });
    expect(rows.length).toBeGreaterThanOrEqual(5);
    expect(rows.length).toBeLessThan(200);
    expect(rows.map((x) => x.metrics.k)).toEqual(rows.map((_, i) => i + 1));
    expect(r.out).toMatch(new RegExp(`instances\\s+${rows.length} of 200, 0 failed`));
    expect(readdirSync(tmp()).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
