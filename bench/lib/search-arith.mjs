// @ts-check
/**
 * The arithmetic landscape as the search section judges it (unchanged since it was the only
 * one): tune.example.yaml, held-out truth by sampling (`evaluateConfig` over `truthTrials`
 * trials on test.jsonl), and the best config of its space from a sampled grid.
 */
import { evaluateConfig, loadQuestions } from '../../fixtures/server/index.mjs';
import { LANDSCAPES } from '../../fixtures/tasks/landscapes.mjs';
import { fix, int, usd } from './stats.mjs';

const INFERENCE_BUDGET = 0.002;
const DIRECT = '{problem} Answer with just the number.';
const COT = "{problem} Let's think step by step.";

/** @typedef {{ model: string, prompt: string, temperature?: number, top_p?: number, max_tokens?: number, n?: number, stop?: string }} SimConfig */
/** @typedef {import('./search-landscape.mjs').BenchLandscape} BenchLandscape */

/** A tuned config as `evaluateConfig` takes it (no nulls). @param {Record<string, unknown>} c @returns {SimConfig} */
function simConfig(c) {
  return /** @type {SimConfig} */ (Object.fromEntries(Object.entries(c).filter(([, v]) => v !== null && v !== undefined)));
}

/** Short text of a config. @param {SimConfig} c */
function describe(c) {
  const style = c.prompt === COT ? 'CoT' : c.prompt === DIRECT ? 'direct' : JSON.stringify(c.prompt);
  const sampling = c.temperature !== undefined ? `T=${fix(c.temperature, 2)}` : c.top_p !== undefined ? `top_p=${fix(c.top_p, 2)}` : 'T=1';
  return `${c.model} ${style} ${sampling} n=${c.n ?? 1}${c.max_tokens !== undefined ? ` max_tokens=${c.max_tokens}` : ''}${c.stop ? ` stop=${JSON.stringify(c.stop)}` : ''}`;
}

/**
 * The best config reachable in tune.example.yaml's space within the inference budget: a grid of
 * model × prompt × (temperature | top_p) × n, max_tokens at the space's top (1000: nothing is
 * truncated, and the price is per token used) and no stop ("\n\n" cuts chain-of-thought answers).
 * Coarse pass with few sampling trials, then the leaders again with many.
 * @param {any[]} questions @param {{ coarseTrials: number, fineTrials: number, temperatures: number[], topPs: number[], maxN: number }} g
 */
function bestInSpace(questions, g) {
  /** @type {Array<{ config: SimConfig, accuracy: number, cost: number }>} */
  const feasible = [];
  let scanned = 0;
  for (const model of ['gpt-3.5-turbo', 'gpt-4']) {
    for (const prompt of [DIRECT, COT]) {
      const samplings = [...g.temperatures.map((t) => ({ temperature: t })), ...g.topPs.map((p) => ({ top_p: p }))];
      for (const s of samplings) {
        for (let n = 1; n <= g.maxN; n++) {
          const config = { model, prompt, ...s, max_tokens: 1000, n };
          const r = evaluateConfig(questions, config, { trials: g.coarseTrials });
          scanned++;
          if (r.meanCost > INFERENCE_BUDGET) break; // cost grows with n
          feasible.push({ config, accuracy: r.accuracy, cost: r.meanCost });
        }
      }
    }
  }
  feasible.sort((a, b) => b.accuracy - a.accuracy);
  const refine = (/** @type {number} */ limit) =>
    feasible
      .filter((l) => l.cost <= limit)
      .slice(0, 8)
      .map((l) => {
        const r = evaluateConfig(questions, l.config, { trials: g.fineTrials });
        return { config: l.config, accuracy: r.accuracy, cost: r.meanCost };
      })
      .filter((l) => l.cost <= limit)
      .sort((a, b) => b.accuracy - a.accuracy);
  const leaders = refine(INFERENCE_BUDGET);
  // The tuner asks for as many samples as fit the budget with 15% to spare (so that its pick
  // stays under the budget on unseen rows): the best config it can be expected to find.
  const withHeadroom = refine(INFERENCE_BUDGET / 1.15);
  return { best: leaders[0], leaders, withHeadroom: withHeadroom[0], scanned, feasible: feasible.length };
}

/**
 * @param {{ truthTrials: number, grid: { coarseTrials: number, fineTrials: number, temperatures: number[], topPs: number[], maxN: number } }} p
 * @returns {Promise<BenchLandscape>}
 */
export async function arithLandscape(p) {
  const spec = LANDSCAPES.arith;
  const questions = await loadQuestions([spec.test]);
  const tuneRows = await loadQuestions([spec.tune]);
  const t0 = performance.now();
  const space = bestInSpace(questions, p.grid);
  const scanSeconds = (performance.now() - t0) / 1000;
  if (!space.best) throw new Error('search: no config of the arithmetic grid fits the inference budget');
  const best = space.best;
  const baseline = evaluateConfig(questions, { model: 'gpt-4', prompt: COT }, { trials: p.grid.fineTrials });
  return {
    name: 'arith',
    title: spec.title,
    configFile: spec.config,
    evalOverride: undefined,
    inferenceBudget: INFERENCE_BUDGET,
    metricName: 'success_vote',
    best: { metric: best.accuracy, cost: best.cost, text: describe(best.config) },
    truth(raw) {
      const config = simConfig(raw);
      const held = evaluateConfig(questions, config, { trials: p.truthTrials });
      const tune = evaluateConfig(tuneRows, config, { trials: p.truthTrials });
      return { metric: held.accuracy, cost: held.meanCost, tuneCost: tune.meanCost, text: describe(config) };
    },
    intro: `\`tune.example.yaml\` as is (its space: gpt-3.5-turbo/gpt-4 × direct/CoT prompt × temperature or top_p × max_tokens 50–1000 × n 1–20 × stop; its 60 tuning rows; inference budget ${usd(INFERENCE_BUDGET, 3)} per instance). **True metric** = expected \`success_vote\` of the returned config on the 300 held-out rows of \`fixtures/data/arith/test.jsonl\`, by \`evaluateConfig\` over ${p.truthTrials} sampling trial(s); **true cost** = its mean cost per instance there.`,
    notes: [
      `- **Best config in the space** (grid of ${int(space.scanned)} configs, ${int(space.feasible)} within the inference budget, scanned with ${p.grid.coarseTrials} trial(s), the ${space.leaders.length} leaders re-scored with ${p.grid.fineTrials}; ${fix(scanSeconds, 1)} s): ${describe(best.config)} → **${fix(best.accuracy, 3)}** at ${usd(best.cost, 5)}/instance. Runner-up: ${space.leaders[1] ? `${describe(space.leaders[1].config)} → ${fix(space.leaders[1].accuracy, 3)}` : 'n/a'}.`,
      `- **Best with the tuner's 15% cost headroom** (cost ≤ ${usd(INFERENCE_BUDGET / 1.15, 5)}/instance): ${space.withHeadroom ? `${describe(space.withHeadroom.config)} → ${fix(space.withHeadroom.accuracy, 3)} at ${usd(space.withHeadroom.cost, 5)}/instance` : 'n/a'} — the tuner requests at most as many samples as fit the budget with 15% to spare, so this is the best it can be expected to return; the goal below is still measured against the best of the whole space.`,
      `- **Untuned baseline** (gpt-4, CoT prompt, defaults: temperature 1, n 1): ${fix(baseline.accuracy, 3)} at ${usd(baseline.meanCost, 5)}/instance (${fix(baseline.meanCost / INFERENCE_BUDGET, 1)}× the inference budget).`,
    ],
  };
}
