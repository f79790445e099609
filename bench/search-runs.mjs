#!/usr/bin/env node
// @ts-check
/**
 * A quick loop for searcher work: tune one or more landscapes with chosen searchers, budgets and
 * seeds, and print each run's held-out truth, one line per run, then the mean per group. The full
 * picture (random search, TPE, the goals) is `npm run bench -- --section search`; this is the
 * fast inner loop while changing the searcher, on the same worker, servers and truth.
 *
 *   npm run build && node bench/search-runs.mjs --landscape code,classify --budgets 0.25,1 --seeds 0-4 [--searchers default,random] [--lanes 2]
 */
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runWorker } from './lib/child.mjs';
import { runOnLanes } from './lib/lanes.mjs';
import { taskLandscape } from './lib/search-landscape.mjs';
import { arithLandscape } from './lib/search-arith.mjs';

const { values } = parseArgs({
  options: {
    landscape: { type: 'string', default: 'arith,code,classify' },
    budgets: { type: 'string', default: '0.25,0.5,1' },
    seeds: { type: 'string', default: '0-4' },
    searchers: { type: 'string', default: 'default' },
    lanes: { type: 'string', default: '2' },
    keep: { type: 'boolean', default: false },
  },
});
const list = (/** @type {string} */ s) => s.split(',').filter(Boolean);
const seedList = values.seeds.includes('-')
  ? (() => { const [a, b] = values.seeds.split('-').map(Number); return Array.from({ length: b - a + 1 }, (_, i) => a + i); })()
  : list(values.seeds).map(Number);
const grid = { coarseTrials: 4, fineTrials: 40, temperatures: [0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.5], topPs: [0.25, 0.5, 0.75, 1.0], maxN: 20 };
const tmp = mkdtempSync(join(tmpdir(), 'autotune-search-runs-'));
let dirs = 0;
try {
  for (const name of list(values.landscape)) {
    const land = name === 'arith' ? await arithLandscape(/** @type {any} */ ({ truthTrials: 20, grid })) : await taskLandscape(/** @type {any} */ (name));
    console.log(`# ${name}: best in space ${land.best.metric.toFixed(3)} — ${land.best.text}`);
    const jobs = list(values.budgets).map(Number).flatMap((budget) => list(values.searchers).flatMap((searcher) => seedList.map((seed) => ({ budget, searcher, seed }))));
    const runs = await runOnLanes(jobs, Number(values.lanes), async (job, server) => {
      const dir = join(tmp, String(dirs++));
      const r = await runWorker({ kind: 'tune', searcher: job.searcher, baseURL: server.baseURL, budget: job.budget, seed: job.seed, dir, configFile: land.configFile, ...(land.evalOverride ? { eval: land.evalOverride } : {}) });
      const spend = (await server.stats()).cost;
      const truth = r.value.config ? land.truth(r.value.config) : { metric: 0, cost: 0, tuneCost: 0, text: '(none)' };
      const line = { ...job, metric: truth.metric, spend, trials: r.value.trials, seconds: r.wallMs / 1000, config: truth.text, tuneCost: truth.tuneCost };
      console.log(`${name} ${job.searcher} $${job.budget} seed ${job.seed}${values.keep ? ` [${dir}]` : ''}: ${truth.metric.toFixed(3)} spend $${spend.toFixed(3)} trials ${r.value.trials} ${line.seconds.toFixed(0)}s  ${truth.text}${truth.tuneCost > land.inferenceBudget * 1.0001 ? '  OVER INFERENCE BUDGET' : ''}`);
      return line;
    });
    for (const budget of list(values.budgets).map(Number)) {
      for (const searcher of list(values.searchers)) {
        const g = runs.filter((r) => r.budget === budget && r.searcher === searcher);
        const mean = g.reduce((s, r) => s + r.metric, 0) / g.length;
        console.log(`== ${name} ${searcher} $${budget}: mean ${mean.toFixed(3)} min ${Math.min(...g.map((r) => r.metric)).toFixed(3)} (best ${land.best.metric.toFixed(3)}) over ${g.length} seeds`);
      }
    }
  }
} finally {
  if (values.keep) console.log(`trial logs kept in ${tmp}/*/tune-log.jsonl`);
  else rmSync(tmp, { recursive: true, force: true });
}
