import { join } from 'node:path';
import { CompletionEngine, RequestPool, SqliteResponseCache, parseSearchSpace, tune, type TuneResult } from '../../src/index.js';
import { loadEval } from '../../src/evaluate/load-eval.js';
import { loadDataset } from '../../src/config/load-dataset.js';
import { fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { TUNE_DATA } from './tune-helpers.js';

const server = useFixtureServer();
const tmp = useTempDir('autotune-tuner-');
beforeEach(() => server().resetStats());

const { space } = parseSearchSpace({
  model: ['gpt-3.5-turbo', 'gpt-4'],
  prompt: ['{problem} Answer with just the number.', "{problem} Let's think step by step."],
  temperature_or_top_p: [{ temperature: { uniform: [0, 2] } }, { top_p: { uniform: [0, 1] } }],
  max_tokens: { lograndint: [50, 1000] },
  n: { randint: [1, 20] },
  stop: [null, '\n\n'],
});

async function runTuner(cacheFile: string, extra: Partial<Parameters<typeof tune>[0]> = {}): Promise<TuneResult> {
  const { rows } = await loadDataset(TUNE_DATA);
  const evaluate = await loadEval('builtin:answer_vote', { baseDir: '.' });
  const engine = new CompletionEngine({ env: fixtureEnv(server()), cache: new SqliteResponseCache(join(tmp(), cacheFile)), pool: new RequestPool(8) });
  return tune({ engine, rows, evaluate, metric: 'success_vote', mode: 'max', space, inferenceBudget: 0.002, optimizationBudget: 0.3, searchSeed: 0, ...extra });
}

describe('tune (library)', () => {
  it('never spends more than the optimization budget, whatever the budget', async () => {
    for (const budget of [0.05, 0.15, 0.35]) {
      server().resetStats();
      const r = await runTuner(`b${budget}.sqlite`, { optimizationBudget: budget });
      const charged = server().stats().cost;
      expect(charged).toBeLessThanOrEqual(budget);
      expect(r.optimizationCost).toBeCloseTo(charged, 10);
      expect(r.stopReason).toBe('budget');
    }
  });

  it('is deterministic for a search seed (fresh server and cache each time), and seeds differ', async () => {
    const a = await runTuner('a.sqlite');
    server().resetStats();
    const b = await runTuner('b.sqlite');
    expect(b.trials.map((t) => [t.config, t.rows, t.state])).toEqual(a.trials.map((t) => [t.config, t.rows, t.state]));
    expect(b.config).toEqual(a.config);
    server().resetStats();
    const c = await runTuner('c.sqlite', { searchSeed: 7 });
    expect(c.trials.map((t) => t.config)).not.toEqual(a.trials.map((t) => t.config));
  });

  it('pays once per row and trial: every n is scored from one request, and no sample is bought twice', async () => {
    const r = await runTuner('n.sqlite');
    const log = server().stats().log;
    const requests = log.filter((l) => l.status === 200);
    // one request per (trial, row) plus the probes (and a one-token model check per model):
    // never a second request for a sample already paid
    const scored = r.trials.reduce((s, t) => s + t.rows, 0);
    expect(requests.length).toBeLessThanOrEqual(scored + 2 * 8 + 2);
    // trials report the n they picked, at most what they asked for per row
    for (const t of r.trials.filter((x) => x.rows > 0)) expect(Number(t.config.n)).toBeLessThanOrEqual(t.n_requested);
    const picked = r.trials.filter((t) => t.rows > 0 && Number(t.config.n) < t.n_requested);
    expect(picked.length).toBeGreaterThan(0);
  });

  it('re-running on a warm cache spends $0 and returns the same result', async () => {
    const first = await runTuner('warm.sqlite');
    const paid = server().stats().cost;
    server().resetStats();
    // the same tune, resumed: what it paid before counts against its budget
    const again = await runTuner('warm.sqlite', { priorSpend: paid });
    expect(server().stats().requests).toBe(0);
    expect(again.optimizationCost).toBe(0);
    expect(again.totalSpend).toBeCloseTo(paid, 10);
    expect(again.config).toEqual(first.config);
  });

  it('does not pay twice for arms that answer the same: a stop sequence the answers never contain', async () => {
    const r = await runTuner('stop.sqlite', { optimizationBudget: 0.3 });
    const direct = '{problem} Answer with just the number.';
    // direct answers never contain a blank line, so stop "\n\n" changes nothing for them
    const withStop = r.trials.filter((t) => t.config.prompt === direct && t.config.stop === '\n\n');
    expect(withStop.every((t) => t.rows === 0 && t.state === 'pruned_probe')).toBe(true);
    // chain-of-thought answers do contain one: that arm is tried (and loses)
    const cotStop = r.trials.filter((t) => t.config.prompt !== direct && t.config.stop === '\n\n' && t.config.model === 'gpt-3.5-turbo');
    expect(cotStop.some((t) => t.rows > 0)).toBe(true);
  });

  it('keeps the pick within the inference budget, measured on all rows', async () => {
    const r = await runTuner('pick.sqlite', { optimizationBudget: 0.35 });
    expect(r.best?.rows).toBe(60);
    expect(r.result?.inference_cost).toBeLessThanOrEqual(0.002);
    expect(r.best?.lcb).toBeLessThan(r.best?.metric ?? 0);
  });

  it('supports mode min (the same search on a negated metric)', async () => {
    const evaluate = async (responses: string[], row: Record<string, unknown>) => {
      const base = await (await loadEval('builtin:answer_vote', { baseDir: '.' }))(responses, row);
      return { error: 1 - (base.success_vote ?? 0) };
    };
    const { rows } = await loadDataset(TUNE_DATA);
    const engine = new CompletionEngine({ env: fixtureEnv(server()), cache: new SqliteResponseCache(join(tmp(), 'min.sqlite')) });
    const r = await tune({ engine, rows, evaluate, metric: 'error', mode: 'min', space, inferenceBudget: 0.002, optimizationBudget: 0.3 });
    expect(r.result?.error).toBeLessThan(0.2);
  });

  it('without an inference budget it still searches (n is then searched like any other setting)', async () => {
    const r = await runTuner('noinf.sqlite', { inferenceBudget: undefined, optimizationBudget: 0.1 });
    expect(r.trials.length).toBeGreaterThan(0);
    expect(r.config).not.toBeNull();
    expect(server().stats().cost).toBeLessThanOrEqual(0.1);
  });

  it('says why there is no config when every trial fails', async () => {
    const r = await runTuner('fail.sqlite', {
      optimizationBudget: 0.1,
      evaluate: () => {
        throw new Error('my eval is broken');
      },
      numSamples: 3,
    });
    expect(r.config).toBeNull();
    expect(r.warning).toMatch(/every trial failed: .*my eval is broken/);
  });

  it('starts each arm at a low or moderately warm temperature; the first look tries the top_p branch and the leader near temperature 0, later looks step an eighth of the range', async () => {
    const r = await runTuner('look.sqlite', { optimizationBudget: 0.5 });
    const firstLook = r.trials.findIndex((t) => t.config.top_p !== undefined);
    expect(firstLook).toBeGreaterThan(0);
    const centres = r.trials.slice(0, firstLook);
    // one sample affordable: 0.2 (a tenth of 0–2); several: 0.8 (0.4 of it); never the middle
    expect(centres.every((t) => t.config.temperature === 0.2 || t.config.temperature === 0.8)).toBe(true);
    const arm = (c: Record<string, unknown>): string => JSON.stringify([c.model, c.prompt, c.stop ?? null]);
    const leader = r.trials[firstLook];
    const centre = centres.find((c) => arm(c.config) === arm(leader?.config ?? {}));
    expect(centre).toBeDefined();
    expect(leader?.config.top_p).toBe(0.5);
    expect(leader?.config.max_tokens).toBe(centre?.config.max_tokens);
    // the same look: the leader near temperature 0
    const look = r.trials.slice(firstLook, firstLook + 4).map((t) => t.config);
    expect(look).toContainEqual(expect.objectContaining({ model: centre?.config.model, prompt: centre?.config.prompt, temperature: 0.05 }));
    // no quarter-range steps from 0.8 (0.3, 1.3); later looks step an eighth (0.55, 1.05, or top_p 0.375 / 0.625)
    const sampling = r.trials.slice(firstLook).map((t) => (t.config.temperature !== undefined ? t.config.temperature : `top_p ${t.config.top_p}`));
    expect(sampling.filter((x) => x === 0.3 || x === 1.3)).toEqual([]);
    expect(sampling.some((x) => x === 0.55 || x === 1.05 || x === 'top_p 0.375' || x === 'top_p 0.625')).toBe(true);
    expect(server().stats().cost).toBeLessThanOrEqual(0.5);
  });

  it('at half the example budget, at least two trials reach all rows, and the pick is measured on all of them', async () => {
    const r = await runTuner('half.sqlite', { optimizationBudget: 0.5 });
    const complete = r.trials.filter((t) => t.state === 'complete');
    expect(complete.length).toBeGreaterThanOrEqual(2);
    expect(r.best?.rows).toBe(60);
    expect(server().stats().cost).toBeLessThanOrEqual(0.5);
  });

  it('an interrupt counts the requests it cut off at their worst case, so a resumed run cannot pass the budget', async () => {
    server().setOptions({ latencyMs: 5 });
    try {
      const controller = new AbortController();
      let rows = 0;
      const onEvent = (e: { type: string }): void => {
        if (e.type === 'row' && ++rows === 20) controller.abort(new Error('interrupted'));
      };
      const r = await runTuner('abort.sqlite', { optimizationBudget: 0.4, signal: controller.signal, onEvent });
      expect(r.stopReason).toBe('interrupted');
      expect(r.unsettled).toBeGreaterThan(0);
      // let the server finish what it had started, then: what it charged is covered
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(server().stats().cost).toBeLessThanOrEqual(r.totalSpend + (r.unsettled ?? 0) + 1e-9);
    } finally {
      server().setOptions({ latencyMs: 0 });
    }
  });

  it('with random search also stays within the budget (the searcher is a plug-in)', async () => {
    const r = await runTuner('random.sqlite', { searcher: 'random', optimizationBudget: 0.2 });
    expect(server().stats().cost).toBeLessThanOrEqual(0.2);
    expect(r.trials.length).toBeGreaterThan(3);
  });
});
