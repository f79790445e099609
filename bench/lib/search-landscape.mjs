// @ts-check
/**
 * The code and classify landscapes as the search section judges them: their example configs
 * (fixtures/tasks/NAME/tune.yaml), held-out truth in closed form (exact: no sampling noise), and
 * the exact best config of their space (fixtures/server/tasks/best-config.mjs).
 */
import { configMetrics } from '../../fixtures/server/index.mjs';
import { LANDSCAPES, exactBest } from '../../fixtures/tasks/landscapes.mjs';
import { describeTaskConfig, templateName } from '../../fixtures/tasks/landscape-table.mjs';
import { fix, int, usd } from './stats.mjs';

/**
 * @typedef {object} Truth
 * @property {number} metric expected metric on the held-out rows
 * @property {number} cost expected cost per instance on the held-out rows
 * @property {number} tuneCost expected cost per instance on the tuning rows
 * @property {string} text the config in short
 */
/**
 * @typedef {object} BenchLandscape
 * @property {'arith' | 'code' | 'classify'} name
 * @property {string} title
 * @property {string} configFile
 * @property {string | undefined} evalOverride the eval the bench runs instead of the config's
 * @property {number} inferenceBudget
 * @property {string} metricName
 * @property {{ metric: number, cost: number, text: string }} best the best config of the space (held out)
 * @property {(config: Record<string, unknown>) => Truth} truth
 * @property {string} intro
 * @property {string[]} notes
 */

/** A grid small enough for the bench's tiny mode. */
const COARSE = { temperatures: [0, 0.5, 0.8, 1], nMax: 4 };

/**
 * @param {'code' | 'classify'} name @param {{ coarse?: boolean }} [opts]
 * @returns {Promise<BenchLandscape>}
 */
export async function taskLandscape(name, opts = {}) {
  const spec = LANDSCAPES[name];
  const t0 = performance.now();
  const r = await exactBest(spec, opts.coarse ? { ...COARSE, maxTokens: [spec.maxTokens[0] ?? 4, spec.maxTokens.at(-1) ?? 64] } : {});
  const scanSeconds = (performance.now() - t0) / 1000;
  const best = r.held.best;
  if (!best) throw new Error(`search: no config of the ${name} space fits its inference budget`);
  const tuneBest = r.onTune.best;
  const tuneBestHeld = tuneBest ? configMetrics(name, r.test, tuneBest.config, r.prices) : null;
  const arms = r.held.perArm.map((p, i) => (p ? { i, p } : null)).filter((x) => x !== null);
  arms.sort((a, b) => b.p.metric - a.p.metric);
  const runnerUp = arms.find((a) => a.i !== best.arm);
  const describe = (/** @type {Record<string, any>} */ c) => {
    const ti = r.grid.templates.findIndex((t) => JSON.stringify(t.prompt ?? t.messages) === JSON.stringify(c.prompt ?? c.messages));
    return describeTaskConfig(name, /** @type {any} */ ({ ...c, n: c.n ?? 1 }), ti);
  };
  const clean = (/** @type {Record<string, unknown>} */ c) => /** @type {any} */ (Object.fromEntries(Object.entries(c).filter(([, v]) => v !== null && v !== undefined)));
  return {
    name,
    title: spec.title,
    configFile: spec.config,
    evalOverride: spec.benchEval,
    inferenceBudget: r.inferenceBudget,
    metricName: String(r.doc?.metric ?? 'metric'),
    best: { metric: best.metric, cost: best.cost, text: describeTaskConfig(name, best.config, best.template) },
    truth(raw) {
      const config = clean(raw);
      const held = configMetrics(name, r.test, config, r.prices);
      const tune = configMetrics(name, r.tune, config, r.prices);
      return { metric: held.metric, cost: held.cost, tuneCost: tune.cost, text: describe(config) };
    },
    intro: `\`fixtures/tasks/${name}/tune.yaml\` as is (${r.grid.models.length} models × ${r.grid.templates.length} prompts (${r.grid.templates.map((_, i) => templateName(name, i)).join(', ')}); ${r.tune.length} tuning rows; inference budget ${usd(r.inferenceBudget, 4)} per instance)${spec.benchEval ? ', its eval replaced by `fixtures/tasks/code/known-solutions-eval.mjs` (the same verdicts as `builtin:code` on every answer the fixture writes, without running Python)' : ''}. **True metric** = the exact expected \`${String(r.doc?.metric)}\` of the returned config on the ${r.test.length} held-out rows (closed form, no sampling noise); **true cost** = its expected cost per instance there; **tune cost** = the same on the tuning rows.`,
    notes: [
      `- **Best config in the space** (exact; grid of ${int(r.held.scanned)} configs, ${int(r.held.feasible)} within the inference budget on the held-out rows; ${fix(scanSeconds, 1)} s with the tuning rows' own scan): ${describeTaskConfig(name, best.config, best.template)} → **${fix(best.metric, 3)}** at ${usd(best.cost, 6)}/instance.${runnerUp ? ` Best of another arm: ${describeTaskConfig(name, runnerUp.p.config, runnerUp.p.template)} → ${fix(runnerUp.p.metric, 3)}.` : ''}`,
      `- **A perfect optimiser of the tuning rows** (the grid's best on the ${r.tune.length} tuning rows within the budget there): ${tuneBest && tuneBestHeld ? `${describeTaskConfig(name, tuneBest.config, tuneBest.template)} → ${fix(tuneBestHeld.metric, 3)} held out` : 'n/a'}.`,
    ],
  };
}
