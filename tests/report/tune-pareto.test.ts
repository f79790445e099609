import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { run } from '../../src/cli/main.js';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { captureIO } from '../helpers/cli.js';
import { readJsonl, tuneYaml, writeTuneConfig } from '../tune/tune-helpers.js';

const server = useFixtureServer({ apiKeys: [FIXTURE_KEY] });
const tmp = useTempDir('autotune-pareto-');

interface Point {
  trial: number;
  metric: number;
  ci: { low: number; high: number } | null;
  rows: number;
  inference_cost: number;
  config: Record<string, unknown>;
}

/** The last line of each trial in the log (its final state), with a measurement. */
function measuredTrials(log: Array<Record<string, unknown>>): Array<{ trial: number; metric: number; inference_cost: number; rows: number; state: string }> {
  const last = new Map<number, Record<string, unknown>>();
  for (const l of log) if (l.type === 'trial') last.set(l.trial as number, l);
  return [...last.values()]
    .filter((t) => typeof t.metric === 'number' && typeof t.inference_cost === 'number' && t.state !== 'failed' && (t.rows as number) > 0)
    .map((t) => ({ trial: t.trial as number, metric: t.metric as number, inference_cost: t.inference_cost as number, rows: t.rows as number, state: t.state as string }));
}

describe('tune: the Pareto set, and --pick', () => {
  it('returns the trials of the log that no other beats on metric and cost; --pick cheapest-within saves another point', async () => {
    const file = writeTuneConfig(tmp(), tuneYaml({ optimization_budget: '1.0', log_file: 'log.jsonl', }));
    const c = captureIO(fixtureEnv(server(), { NO_COLOR: '1' }), tmp());
    expect(await run(['tune', file, '--json', '-o', 'best.yaml'], c.io)).toBe(0);
    const out = JSON.parse(c.out()) as { pareto: Point[]; best_config: Record<string, unknown>; best_result: Record<string, number> };

    // brute force over the log: a trial is on the front when no other is at least as good on both, better on one
    const measured = measuredTrials(readJsonl(join(tmp(), 'log.jsonl')));
    const front = measured.filter((t) => !measured.some((o) => o.metric >= t.metric && o.inference_cost <= t.inference_cost && (o.metric > t.metric || o.inference_cost < t.inference_cost)));
    expect(out.pareto.map((p) => p.trial).sort((a, b) => a - b)).toEqual(front.map((t) => t.trial).sort((a, b) => a - b));
    expect(out.pareto.length).toBeGreaterThan(1);
    for (let i = 1; i < out.pareto.length; i++) {
      const [a, b] = [out.pareto[i - 1] as Point, out.pareto[i] as Point];
      expect(b.inference_cost).toBeGreaterThanOrEqual(a.inference_cost);
      expect(b.metric).toBeGreaterThanOrEqual(a.metric);
    }
    for (const p of out.pareto) {
      expect(p.ci).not.toBeNull();
      expect(p.ci!.low).toBeLessThanOrEqual(p.metric);
      expect(p.ci!.high).toBeGreaterThanOrEqual(p.metric);
    }
    // the saved config carries the front too
    const saved = parse(readFileSync(join(tmp(), 'best.yaml'), 'utf8')) as { tuning: { pareto: Array<Record<string, unknown>> } };
    expect(saved.tuning.pareto.map((p) => p.trial)).toEqual(out.pareto.map((p) => p.trial));
    expect(saved.tuning.pareto[0]).toHaveProperty('success_vote');

    // the same tune again (all cached) with a looser pick: the cheapest within 0.1 of the best
    const tolerance = 0.1;
    const again = captureIO(fixtureEnv(server(), { NO_COLOR: '1' }), tmp());
    expect(await run(['tune', file, '--fresh', '-o', 'cheap.yaml', '--json', '--pick', 'cheapest-within', String(tolerance)], again.io)).toBe(0);
    const picked = JSON.parse(again.out()) as { best_result: Record<string, number>; pick?: { rule: string; trial: number; tuner_best_trial: number }; optimization_cost: number };
    expect(picked.optimization_cost).toBe(0);
    const best = out.best_result;
    const fits = measured.filter((t) => t.rows >= best.rows! && t.metric >= best.success_vote! - tolerance && t.inference_cost <= 0.002);
    const cheapest = Math.min(...fits.map((t) => t.inference_cost), best.inference_cost!);
    expect(picked.best_result.inference_cost).toBeCloseTo(cheapest, 12);
    expect(picked.best_result.success_vote).toBeGreaterThanOrEqual(best.success_vote! - tolerance);
    const log = readJsonl(join(tmp(), 'log.jsonl'));
    const endLine = log.filter((l) => l.type === 'end').at(-1);
    if (picked.best_result.inference_cost! < best.inference_cost!) {
      // the pick moved: the saved file and the log's end line name the trial it moved to
      expect(picked.pick).toMatchObject({ rule: `cheapest-within ${tolerance}` });
      const pickedLine = log.filter((l) => l.type === 'trial' && l.trial === picked.pick!.trial).at(-1) as { config: Record<string, unknown> };
      const cheap = parse(readFileSync(join(tmp(), 'cheap.yaml'), 'utf8')) as Record<string, unknown>;
      expect(cheap).toMatchObject({ model: pickedLine.config.model, prompt: pickedLine.config.prompt, n: pickedLine.config.n });
      expect(endLine).toMatchObject({ best_trial: picked.pick!.trial, pick: `cheapest-within ${tolerance}`, tuner_best_trial: picked.pick!.tuner_best_trial });
    } else {
      expect(picked.pick).toBeUndefined();
      expect(endLine).not.toHaveProperty('pick');
    }
  });

  it('a --pick it cannot read is exit 2 before anything is spent', async () => {
    const file = writeTuneConfig(tmp(), tuneYaml({ optimization_budget: '0.25' }));
    const c = captureIO(fixtureEnv(server(), { NO_COLOR: '1' }), tmp());
    server().resetStats();
    expect(await run(['tune', file, '--pick', 'cheapest'], c.io)).toBe(2);
    expect(c.err()).toMatch(/--pick: unknown rule "cheapest"/);
    expect(c.err()).toMatch(/hint: e\.g\. --pick cheapest-within 0\.01/);
    expect(server().stats().requests).toBe(0);
  });
});
