import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadQuestions, evaluateConfig } from '../../fixtures/server/index.mjs';
import { run } from '../../src/cli/main.js';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { captureIO } from '../helpers/cli.js';
import { TEST_DATA, readJsonl, tuneYaml, writeTuneConfig } from './tune-helpers.js';

const server = useFixtureServer({ apiKeys: [FIXTURE_KEY] });
const tmp = useTempDir('autotune-tune-');

beforeEach(() => server().resetStats());

function cli(extraEnv: Record<string, string> = {}, signal?: AbortSignal) {
  return captureIO(fixtureEnv(server(), { NO_COLOR: '1', ...extraEnv }), tmp(), signal ? { signal } : {});
}

describe('autotune tune', () => {
  it('finds a config that beats the untuned baselines on held-out data, within both budgets', async () => {
    const file = writeTuneConfig(tmp(), tuneYaml({ optimization_budget: '0.5', log_file: 'log.jsonl' }));
    const c = cli();
    const code = await run(['tune', file, '--output', 'best.yaml', '--json'], c.io);
    expect(c.err()).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(c.out()) as { best_config: Record<string, unknown>; best_result: Record<string, number>; trials: number; optimization_cost: number };
    expect(Object.keys(report).slice(0, 4)).toEqual(['best_config', 'best_result', 'trials', 'optimization_cost']);
    // the money: what the server charged is what autotune reports, and within the budget
    expect(report.optimization_cost).toBeCloseTo(server().stats().cost, 10);
    expect(report.optimization_cost).toBeLessThanOrEqual(0.5);
    expect(report.best_result.inference_cost).toBeLessThanOrEqual(0.002);
    expect(report.best_result.rows).toBe(60);

    // held-out truth from the fixture's own model: the tuned config vs untuned baselines of the space
    const questions = await loadQuestions([TEST_DATA]);
    const truth = (config: Record<string, unknown>) => evaluateConfig(questions, config as never, { trials: 3 });
    const tuned = truth(report.best_config);
    expect(tuned.meanCost).toBeLessThanOrEqual(0.002 * 1.05);
    const cot = "{problem} Let's think step by step.";
    const direct = '{problem} Answer with just the number.';
    for (const baseline of [
      { model: 'gpt-4', prompt: cot },
      { model: 'gpt-4', prompt: direct },
      { model: 'gpt-3.5-turbo', prompt: cot },
      { model: 'gpt-3.5-turbo', prompt: direct },
    ]) {
      expect(tuned.accuracy).toBeGreaterThan(truth(baseline).accuracy);
    }

    // the saved config is accepted by test as is, and scores what tune said it would, roughly
    const best = parse(readFileSync(join(tmp(), 'best.yaml'), 'utf8')) as Record<string, unknown>;
    expect(best).toMatchObject({ model: report.best_config.model, n: report.best_config.n, eval: 'builtin:answer_vote', metric: 'success_vote', mode: 'max', seed: '41' });
    expect(best.tuning).toMatchObject({ rows: 60, trials: report.trials });
    const t = cli();
    expect(await run(['test', '--config', 'best.yaml', '--data', TEST_DATA, '--limit', '60', '--json'], t.io)).toBe(0);
    expect((JSON.parse(t.out()) as { metrics: Record<string, number> }).metrics.success_vote).toBeGreaterThan(0.8);

    // the trial log: whole JSON lines, one per trial and rung, with the running spend
    const log = readJsonl(join(tmp(), 'log.jsonl'));
    expect(log[0]).toMatchObject({ type: 'start', prior_spend: 0 });
    expect(log.at(-1)).toMatchObject({ type: 'end', trials: report.trials });
    const trials = log.filter((l) => l.type === 'trial');
    expect(trials.length).toBeGreaterThanOrEqual(report.trials - 2);
    expect(trials[0]).toEqual(expect.objectContaining({ trial: expect.any(Number), rows: expect.any(Number), config: expect.any(Object), state: expect.any(String), cost: expect.any(Number), spent: expect.any(Number) }));
  });

  it('prunes: most trials never see the whole data, and arms over the inference budget are dropped for cents', async () => {
    const file = writeTuneConfig(tmp(), tuneYaml({ optimization_budget: '0.5', log_file: 'log.jsonl' }));
    const c = cli();
    expect(await run(['tune', file, '--json'], c.io)).toBe(0);
    const log = server().stats().log;
    // gpt-4 with a chain-of-thought prompt costs ~$0.01 per question: only its one-sample probes are paid
    const gpt4cot = log.filter((l) => l.model === 'gpt-4' && Number(l.completion_tokens) / Number(l.n) > 40);
    expect(gpt4cot.length).toBeGreaterThan(0);
    expect(gpt4cot.every((l) => l.n === 1)).toBe(true);
    // successive halving: most trials stop before the whole data
    const deepest = new Map<number, { rows: number; state: string }>();
    for (const l of readJsonl(join(tmp(), 'log.jsonl'))) if (l.type === 'trial') deepest.set(Number(l.trial), { rows: Number(l.rows), state: String(l.state) });
    const full = [...deepest.values()].filter((t) => t.rows === 60).length;
    expect(deepest.size).toBeGreaterThan(5);
    expect(full).toBeGreaterThan(0);
    expect(full).toBeLessThan(deepest.size / 2);
    expect([...deepest.values()].some((t) => t.state.startsWith('pruned'))).toBe(true);
  });

  it('prints the best config, its metrics and the top trials as tables, and saves nothing without --output', async () => {
    const file = writeTuneConfig(tmp(), tuneYaml({ optimization_budget: '0.3' }));
    const c = cli();
    expect(await run(['tune', file], c.io)).toBe(0);
    expect(c.out()).toMatch(/Best config \(trial #\d+, measured on \d+ of 60 rows\)/);
    expect(c.out()).toMatch(/success_vote\s+0\.\d{3}/);
    expect(c.out()).toMatch(/inference cost\s+\$0\.00\d+ per instance \(budget \$0\.00200\)/);
    expect(c.out()).toMatch(/Top trials/);
    expect(c.out()).toMatch(/spent \$0\.\d+ new of \$0\.30/);
    expect(existsSync(join(tmp(), 'best.yaml'))).toBe(false);
  });

  it('stops cleanly on Ctrl-C: prints and saves the best so far, and a re-run finishes from the cache', async () => {
    server().setOptions({ latencyMs: 5 });
    try {
      const file = writeTuneConfig(tmp(), tuneYaml({ optimization_budget: '0.4', log_file: 'log.jsonl' }));
      const controller = new AbortController();
      let rows = 0;
      const c = cli({}, controller.signal);
      const pending = run(['tune', file, '--output', 'best.yaml', '--json'], c.io);
      // abort once some work is done
      const poll = setInterval(() => {
        rows = server().stats().requests;
        if (rows > 60) controller.abort(new Error('interrupted'));
      }, 5);
      const code = await pending;
      clearInterval(poll);
      expect(code).toBe(130);
      const report = JSON.parse(c.out()) as { stop_reason: string; optimization_cost: number };
      expect(report.stop_reason).toBe('interrupted');
      const paidFirst = server().stats().cost;
      // answers received are counted exactly; a request cut off in flight by the interrupt may still
      // have been charged by the server, so the server can only have charged as much or a little more
      expect(paidFirst).toBeGreaterThanOrEqual(report.optimization_cost - 1e-12);
      expect(paidFirst - report.optimization_cost).toBeLessThan(0.02);
      for (const line of readFileSync(join(tmp(), 'log.jsonl'), 'utf8').trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();

      // the re-run counts what the first run paid and finishes within the one budget
      const again = cli();
      expect(await run(['tune', file, '--output', 'best.yaml', '--json'], again.io)).toBe(0);
      expect(server().stats().cost).toBeLessThanOrEqual(0.4 + 1e-9);
      // saved: to best.yaml when measured on all rows, else to best.partial.yaml (the budget may
      // run out first: the re-run has what the first left)
      const rerun = JSON.parse(again.out()) as { output: string; best_result: { rows: number } };
      expect(rerun.output).toBe(rerun.best_result.rows === 60 ? 'best.yaml' : 'best.partial.yaml');
      expect(existsSync(join(tmp(), rerun.output))).toBe(true);
    } finally {
      server().setOptions({ latencyMs: 0 });
    }
  });
});
