import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { writeTuneConfig } from '../tune/tune-helpers.js';
import { cli, killAll, reliabilityTuneYaml, spawnCli, waitFor, type CliChild } from './reliability-helpers.js';

// Every tune keeps a trial log (by default under the cache root) and holds it locked for the
// whole run, so a kill -9 and a resume are accounted the same way everywhere and two runs of
// one tune can never together pass the budget.
const BUDGET = 0.1;
const server = useFixtureServer({ apiKeys: [FIXTURE_KEY], latencyMs: 10 });
const tmp = useTempDir('autotune-trial-log-');
const children: CliChild[] = [];
afterEach(() => killAll(children));
beforeEach(() => server().resetStats());

const yaml = (extra: Record<string, string> = {}): string =>
  reliabilityTuneYaml({ optimization_budget: String(BUDGET), num_samples: '-1', request_timeout: '', retry_timeout: '', ...extra });
const defaultLogs = (dir: string): string[] => {
  const tunes = join(dir, '.cache', 'tunes');
  return existsSync(tunes) ? readdirSync(tunes).filter((f) => f.endsWith('.jsonl')).map((f) => join(tunes, f)) : [];
};
/** A pid that ran on this host and no longer runs. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid as number;

describe('the trial log is always kept and locked for the whole run', () => {
  it('two tunes of one config started at once: one runs, the other exits 2 naming the holder; the server charged ≤ the budget', async () => {
    writeTuneConfig(tmp(), yaml());
    const a = spawnCli(['tune', 'tune.yaml', '--json'], fixtureEnv(server()), tmp(), children);
    const b = spawnCli(['tune', 'tune.yaml', '--json'], fixtureEnv(server()), tmp(), children);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    const codes = [ra.code, rb.code].sort();
    expect(codes).toEqual([0, 2]);
    const [winner, loser] = ra.code === 0 ? [a, rb] : [b, ra];
    expect(loser.err).toMatch(new RegExp(`trial log .*\\.cache/tunes/[0-9a-f]{16}\\.jsonl is locked by another tune \\(pid ${winner.child.pid} on ${hostname()}, started \\d{4}-\\d\\d-\\d\\dT`));
    expect(loser.out).toBe('');
    expect(server().stats().cost).toBeLessThanOrEqual(BUDGET + 1e-12);
    // released at the end: a third run takes the lock (and carries the spend over)
    const again = await cli(['tune', 'tune.yaml', '--json'], fixtureEnv(server()), tmp());
    expect(again.code).toBe(0);
    expect(server().stats().cost).toBeLessThanOrEqual(BUDGET + 1e-12);
  }, 180_000);

  it('without log_file, a kill -9 and a re-run are accounted through the default log; the carried-over spend is announced', async () => {
    writeTuneConfig(tmp(), yaml());
    const victim = spawnCli(['tune', 'tune.yaml', '--json'], fixtureEnv(server()), tmp(), children);
    let exited = false;
    void victim.done.then(() => (exited = true));
    await waitFor(() => exited || server().stats().ok >= 30, 60_000, '30 answers');
    victim.child.kill('SIGKILL');
    expect((await victim.done).signal).toBe('SIGKILL');
    const [log] = defaultLogs(tmp());
    expect(log).toBeDefined();
    // the killed run's lock is left behind; its holder is dead, so the re-run takes it over
    expect(existsSync(`${log}.lock`)).toBe(true);
    const rerun = await cli(['tune', 'tune.yaml', '--json'], fixtureEnv(server()), tmp());
    expect(rerun.code).toBe(0);
    expect(rerun.err).toMatch(new RegExp(`note: took over the lock of trial log .* from pid ${victim.child.pid} on ${hostname()} .*which no longer runs`));
    expect(rerun.err).toMatch(/note: earlier runs of this tune spent \$0\.\d+ \(trial log .*\.cache\/tunes\/[0-9a-f]{16}\.jsonl, the default under the cache root, last written \d{4}-.*\); it counts against optimization_budget\. --fresh starts from \$0/);
    expect(server().stats().cost).toBeLessThanOrEqual(BUDGET + 1e-12);
    expect((JSON.parse(rerun.out) as { total_spend: number }).total_spend).toBeLessThanOrEqual(BUDGET + 1e-12);
    expect(existsSync(`${log}.lock`)).toBe(false);
    // --fresh: nothing carried over, nothing announced
    const fresh = await cli(['tune', 'tune.yaml', '--json', '--fresh'], fixtureEnv(server()), tmp());
    expect(fresh.err).not.toMatch(/earlier runs/);
  }, 180_000);

  it('a lock held by a live process, or by another host, is not taken: exit 2 before a request, with how to proceed', async () => {
    writeTuneConfig(tmp(), yaml({ log_file: 'log.jsonl' }));
    writeFileSync(join(tmp(), 'log.jsonl.lock'), JSON.stringify({ pid: process.pid, host: hostname(), started: '2026-01-02T03:04:05.000Z' }));
    const live = await cli(['tune', 'tune.yaml'], fixtureEnv(server()), tmp());
    expect(live.code).toBe(2);
    expect(live.err).toContain(`trial log ${join(tmp(), 'log.jsonl')} is locked by another tune (pid ${process.pid} on ${hostname()}, started 2026-01-02T03:04:05.000Z)`);
    writeFileSync(join(tmp(), 'log.jsonl.lock'), JSON.stringify({ pid: deadPid(), host: 'elsewhere.example', started: '2026-01-02T03:04:05.000Z' }));
    const remote = await cli(['tune', 'tune.yaml'], fixtureEnv(server()), tmp());
    expect(remote.code).toBe(2);
    expect(remote.err).toMatch(/on elsewhere\.example, started 2026-01-02T03:04:05\.000Z\)[\s\S]*remove .*log\.jsonl\.lock/);
    expect(server().stats().requests).toBe(0);
    expect(existsSync(join(tmp(), 'log.jsonl'))).toBe(false);
  }, 60_000);

  it('spend in a shared log_file is not carried over to a run with another cache root (its answers are not cached there)', async () => {
    for (const root of ['a', 'b']) mkdirSync(join(tmp(), root));
    writeTuneConfig(tmp(), yaml({ log_file: 'shared.jsonl' }));
    const first = await cli(['tune', 'tune.yaml', '--cache-path-root', 'a', '--json'], fixtureEnv(server()), tmp());
    expect(first.code).toBe(0);
    const firstCost = server().stats().cost;
    expect(firstCost).toBeGreaterThan(0);
    const second = await cli(['tune', 'tune.yaml', '--cache-path-root', 'b', '--json'], fixtureEnv(server()), tmp());
    expect(second.code).toBe(0);
    expect(second.err).not.toMatch(/earlier runs/);
    const report = JSON.parse(second.out) as { optimization_cost: number; total_spend: number };
    expect(report.total_spend).toBeCloseTo(report.optimization_cost, 12);
    // it paid for its own answers, about as much as the first did (carried over, the first's
    // spend would have left it at most BUDGET - firstCost)
    expect(server().stats().cost - firstCost).toBeGreaterThan(Math.max(BUDGET - firstCost, firstCost / 2));
    // and the same root again carries the spend over, announced
    const third = await cli(['tune', 'tune.yaml', '--cache-path-root', 'a', '--json'], fixtureEnv(server()), tmp());
    expect(third.err).toMatch(/note: earlier runs of this tune spent \$0\.\d+ \(trial log .*shared\.jsonl, last written/);
    const lines = readFileSync(join(tmp(), 'shared.jsonl'), 'utf8').trim().split('\n');
    expect(new Set(lines.map((l) => (JSON.parse(l) as { identity: string }).identity)).size).toBe(2);
  }, 180_000);

  it('a server whose usage says "completion_tokens": "n/a": a run killed with -9 and its resumed run stay within the budget, with numbers everywhere', async () => {
    const env = fixtureEnv(server(), { OPENAI_BASE_URL: `${server().url}/hostile-usage/v1` });
    writeTuneConfig(tmp(), yaml());
    const victim = spawnCli(['tune', 'tune.yaml', '--json'], env, tmp(), children);
    let exited = false;
    void victim.done.then(() => (exited = true));
    await waitFor(() => exited || server().stats().ok >= 20, 60_000, '20 answers');
    victim.child.kill('SIGKILL');
    await victim.done;
    const rerun = await cli(['tune', 'tune.yaml', '--json'], env, tmp());
    // worst-case charges spend the budget fast: the re-run may end without a config (exit 1)
    expect([0, 1]).toContain(rerun.code);
    const report = JSON.parse(rerun.out) as { total_spend: unknown; optimization_cost: unknown };
    expect(typeof report.total_spend).toBe('number');
    expect(Number.isFinite(report.total_spend)).toBe(true);
    expect(report.total_spend as number).toBeLessThanOrEqual(BUDGET + 1e-12);
    expect(rerun.err).toMatch(/note: earlier runs of this tune spent \$0\.\d+/);
    // the truth: what the server charged across both runs
    expect(server().stats().cost).toBeLessThanOrEqual(BUDGET + 1e-12);
    // every account line of the log holds finite numbers
    const [log] = defaultLogs(tmp());
    for (const line of readFileSync(log as string, 'utf8').trim().split('\n')) {
      const entry = JSON.parse(line) as { spent?: unknown; reserved?: unknown; prior_spend?: unknown };
      for (const v of [entry.spent, entry.reserved, entry.prior_spend]) if (v !== undefined) expect(Number.isFinite(v)).toBe(true);
    }
  }, 180_000);
});
