// @ts-check
/**
 * Section 5: search efficiency on every fixture landscape (arithmetic voting, code pass@n, ticket
 * classification) — the default searcher vs random search (and Optuna's TPE when a Python with
 * optuna is there) under growing optimization budgets, judged by held-out truth, against the
 * best config of each space. Issue 16's goals are reported met or missed; they never fail the run.
 */
import { runWorker } from '../lib/child.mjs';
import { runOnLanes } from '../lib/lanes.mjs';
import { arithLandscape } from '../lib/search-arith.mjs';
import { taskLandscape } from '../lib/search-landscape.mjs';
import { searchReport } from '../lib/search-report.mjs';
import { findOptuna } from '../lib/tpe.mjs';

/** @typedef {import('../lib/search-landscape.mjs').BenchLandscape} BenchLandscape */
/**
 * @typedef {object} SearchRun
 * @property {string} searcher default | random | tpe
 * @property {number} budget
 * @property {number} seed
 * @property {number} accuracy true metric of the pick on the held-out rows (0 without a pick)
 * @property {number} cost its true cost per instance there
 * @property {number} tuneCost its true cost per instance on the tuning rows
 * @property {number} spend the server's own count of what the run spent
 * @property {number} trials
 * @property {string} config
 * @property {string} stop
 * @property {number} seconds
 */

export const LANDSCAPE_NAMES = /** @type {const} */ (['arith', 'code', 'classify']);

/** @param {import('../run.mjs').BenchContext} ctx */
export async function search(ctx) {
  const p = ctx.profile.search;
  const names = ctx.landscapes.length > 0 ? ctx.landscapes : [...LANDSCAPE_NAMES];
  const optuna = p.tpe ? findOptuna() : { python: null, reason: ctx.mode === 'tiny' ? 'not run in --tiny mode' : 'left out (--no-tpe)' };
  if (!optuna.python) ctx.log(`search: TPE (Optuna) left out: ${'reason' in optuna ? optuna.reason : ''}`);
  const parts = [];
  const goals = [];
  for (const name of names) {
    const t0 = performance.now();
    ctx.log(`search: ${name}: the best config of the space`);
    /** @type {BenchLandscape} */
    const land = name === 'arith' ? await arithLandscape(p) : await taskLandscape(name, { coarse: ctx.mode === 'tiny' });
    const budgets = /** @type {Record<string, number[] | undefined>} */ (p.budgetsFor ?? {})[name] ?? p.budgets;
    const searchers = ['default', 'random', ...(optuna.python ? ['tpe'] : [])];
    const jobs = budgets.flatMap((budget) => searchers.flatMap((searcher) => Array.from({ length: p.seeds }, (_, seed) => ({ budget, searcher, seed }))));
    const runs = await runOnLanes(jobs, p.lanes, async (job, server) => {
      ctx.log(`search: ${name} ${job.searcher} budget $${job.budget} seed ${job.seed}`);
      const common = { baseURL: server.baseURL, budget: job.budget, seed: job.seed, dir: ctx.freshDir('tune'), configFile: land.configFile, ...(land.evalOverride ? { eval: land.evalOverride } : {}) };
      const r = job.searcher === 'tpe'
        ? await runWorker({ kind: 'tpe', python: optuna.python, ...common })
        : await runWorker({ kind: 'tune', searcher: job.searcher, ...common });
      const spend = (await server.stats()).cost;
      const truth = r.value.config ? land.truth(r.value.config) : { metric: 0, cost: 0, tuneCost: 0, text: '(none)' };
      /** @type {SearchRun} */
      const run = {
        searcher: job.searcher, budget: job.budget, seed: job.seed, accuracy: truth.metric, cost: truth.cost, tuneCost: truth.tuneCost,
        spend, trials: r.value.trials, config: truth.text, stop: r.value.stopReason, seconds: r.wallMs / 1000,
      };
      return run;
    });
    const seconds = (performance.now() - t0) / 1000;
    const report = searchReport(land, runs, { budgets, searchers, seeds: p.seeds, seconds, lanes: p.lanes, tpe: optuna });
    parts.push(report.markdown);
    goals.push(...report.goals);
  }
  const intro = `Each landscape's example config, run through the library's \`runTune\` (the CLI's path) by a fresh worker process against a fresh fixture server (own process, zero latency; ${p.lanes} at a time, one server each) and a fresh cache for every run, ${p.seeds} search seed(s) per searcher and budget. **Spend** = the server's own \`/stats\` cost for the run. Issue 16's goals: the default searcher beats random search at every budget on every landscape, and at $1.00 its mean is within 0.03 of the best config on every landscape; every pick within the inference budget on the tuning rows and every spend within the optimization budget. They are reported as met or missed below and in the goals table; a missed goal does not fail the run. Re-run one landscape with \`--landscape NAME\` (arith, code, classify).`;
  const tpeLine = optuna.python
    ? `**TPE (Optuna ${'version' in optuna ? optuna.version : ''})** through \`bench/lib/tpe.mjs\`: each proposal is measured by autotune's own \`runTest\` on all tuning rows (in blocks of 4, 8, 16 and the rest, no cache; stopped when its cost so far is over 1.5× the inference budget), under one \`BudgetLedger\` for the whole search; it does not get the tuner's n-from-one-request, probe or race. Its pick is the best tuning-row metric within the inference budget.`
    : `**TPE (Optuna)**: not run — ${'reason' in optuna ? optuna.reason : ''}.`;
  return { markdown: [intro, '', tpeLine, '', ...parts].join('\n'), goals };
}
