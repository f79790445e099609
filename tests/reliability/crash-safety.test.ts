import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng } from '../../src/space/rng.js';
import { priorSpend } from '../../src/store/trial-log.js';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { writeTuneConfig } from '../tune/tune-helpers.js';
import { cli, integrity, killAll, reliabilityTuneYaml, report, spawnCli, usageRows, waitFor, type CliChild } from './reliability-helpers.js';

// kill -9 a tune (the built CLI in a child process) at seeded random points, then run it again:
// the databases open cleanly, the log holds whole lines, and the killed run plus the re-run
// never spend more than the optimization budget between them.
const BUDGET = 0.1;
const LATENCY_MS = 10; // so the kill lands with requests in flight
const server = useFixtureServer({ apiKeys: [FIXTURE_KEY], latencyMs: LATENCY_MS });
const tmp = useTempDir('autotune-crash-');
const children: CliChild[] = [];
afterEach(() => killAll(children));
beforeEach(() => server().resetStats());

const yaml = () => reliabilityTuneYaml({ optimization_budget: String(BUDGET), num_samples: '-1', log_file: 'log.jsonl', request_timeout: '', retry_timeout: '' });

/** Lines of the trial log: whole JSON lines, except possibly a torn last one (returned apart). */
function logLines(file: string): { entries: Array<Record<string, unknown>>; torn: string | undefined } {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const last = lines.pop() as string; // '' when the file ends with a newline
  const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { entries, torn: last === '' ? undefined : last };
}

function tune(dir: string): CliChild {
  return spawnCli(['tune', 'tune.yaml', '--json'], fixtureEnv(server()), dir, children);
}

describe('crash safety: kill -9 during tune', () => {
  it('at seeded random points: databases intact, whole log lines, killed run + re-run within the budget', async () => {
    // a clean run, to know how many paid requests a whole tune makes
    const cleanDir = join(tmp(), 'clean');
    mkdirSync(cleanDir);
    writeTuneConfig(cleanDir, yaml());
    const clean = await tune(cleanDir).done;
    expect(clean.code).toBe(0);
    const cleanCost = server().stats().cost;
    const cleanOk = server().stats().ok;
    expect(cleanCost).toBeLessThanOrEqual(BUDGET);

    const rng = createRng(20240607);
    const figures: Array<Record<string, number>> = [];
    for (let run = 0; run < 4; run++) {
      server().resetStats();
      const dir = join(tmp(), `run${run}`);
      mkdirSync(dir);
      writeTuneConfig(dir, yaml());
      const killAt = rng.int(2, cleanOk - 4);
      const victim = tune(dir);
      let exited = false;
      void victim.done.then(() => (exited = true));
      await waitFor(() => exited || server().stats().ok >= killAt, 20_000, `${killAt} answers`);
      victim.child.kill('SIGKILL');
      const killed = await victim.done;
      expect(killed.signal).toBe('SIGKILL');
      await waitFor(() => server().stats().in_flight === 0, 5_000, 'the server to settle');
      const paidBeforeKill = server().stats().cost;
      const answeredBeforeKill = server().stats().ok;

      // the databases open cleanly (WAL recovery included) and pass an integrity check
      const cacheFile = join(dir, '.cache', '41', 'cache.sqlite');
      const usageFile = join(dir, '.cache', 'usage.sqlite');
      for (const f of [cacheFile, usageFile]) if (existsSync(f)) expect(integrity(f)).toBe('ok');
      const usageLost = answeredBeforeKill - usageRows(join(dir, '.cache')).filter((u) => u.outcome !== 'failed' && u.cached === 0).length;

      // the log holds whole lines, and accounts for every cent the server charged: what was
      // paid, plus the worst case of the requests in flight (which a server may charge)
      const log = join(dir, 'log.jsonl');
      const { entries, torn } = logLines(log);
      expect(torn).toBeUndefined();
      const identity = String(entries[0]?.identity);
      const accounted = priorSpend(log, identity);
      expect(accounted).toBeGreaterThanOrEqual(paidBeforeKill - 1e-12);
      const last = entries.at(-1) as { reserved?: number };
      expect(accounted - paidBeforeKill).toBeLessThanOrEqual((last.reserved ?? 0) + 1e-12);

      // the re-run counts it and finishes within what is left of the budget
      const again = await tune(dir).done;
      expect(again.code).toBe(0);
      const total = server().stats().cost;
      const rerun = total - paidBeforeKill;
      const out = JSON.parse(again.out) as { optimization_cost: number; total_spend: number };
      expect(out.optimization_cost).toBeCloseTo(rerun, 10);
      expect(out.total_spend).toBeCloseTo(accounted + rerun, 10);
      expect(rerun).toBeLessThanOrEqual(BUDGET - accounted + 1e-12);
      expect(total).toBeLessThanOrEqual(BUDGET + 1e-12);
      // and it does use what is left: short of the budget by the in-flight reserve at most, plus
      // the slack a clean run leaves too (its plan stops when the next step does not fit)
      expect(BUDGET - total).toBeLessThanOrEqual(accounted - paidBeforeKill + (BUDGET - cleanCost) + 0.01);
      for (const f of [cacheFile, usageFile]) expect(integrity(f)).toBe('ok');
      expect(logLines(log).torn).toBeUndefined();
      figures.push({ killAt, paidBeforeKill, accounted, inFlightReserve: accounted - paidBeforeKill, rerun, total, usageLost });
    }
    report('kill -9', { budget: BUDGET, cleanCost, cleanOk, runs: figures });
  }, 300_000); // nine tunes through the built CLI: a minute and more on a loaded 2-core machine

  it('a torn last line (a write cut short) is skipped by readers and ended by the next run', async () => {
    const file = writeTuneConfig(tmp(), reliabilityTuneYaml({ log_file: 'log.jsonl' }));
    expect((await cli(['tune', file, '--json'], fixtureEnv(server()), tmp())).code).toBe(0);
    const log = join(tmp(), 'log.jsonl');
    const { entries } = logLines(log);
    const identity = String(entries[0]?.identity);
    const before = priorSpend(log, identity);
    appendFileSync(log, `{"type":"spend","identity":"${identity}","time":"2026-01-01T00:00:00.000Z","spent":9`);
    expect(priorSpend(log, identity)).toBe(before);

    const again = await cli(['tune', file, '--json'], fixtureEnv(server()), tmp());
    expect(again.code).toBe(0);
    const lines = readFileSync(log, 'utf8').split('\n');
    expect(lines.at(-1)).toBe('');
    const bad = lines.slice(0, -1).filter((l) => {
      try {
        JSON.parse(l);
        return false;
      } catch {
        return true;
      }
    });
    expect(bad).toEqual([`{"type":"spend","identity":"${identity}","time":"2026-01-01T00:00:00.000Z","spent":9`]);
    // the re-run's own lines are whole, and it counted the first run's spend
    expect(lines.filter((l) => l.includes('"type":"start"'))).toHaveLength(2);
    expect((JSON.parse(again.out) as { total_spend: number }).total_spend).toBeCloseTo(before, 12);
  });
});
