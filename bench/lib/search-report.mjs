// @ts-check
/** The search section's report for one landscape: the issue's table, the detailed table, the goals. */
import { fix, max, mean, min, usd } from './stats.mjs';

/** @typedef {import('../sections/search.mjs').SearchRun} SearchRun */
/** @typedef {import('./search-landscape.mjs').BenchLandscape} BenchLandscape */

const TOLERANCE = 0.03;
const NAMES = /** @type {Record<string, string>} */ ({ default: 'default', random: 'random', tpe: 'TPE (Optuna)' });

/**
 * @param {BenchLandscape} land @param {SearchRun[]} runs
 * @param {{ budgets: number[], searchers: string[], seeds: number, seconds: number, lanes: number, tpe: { python: string | null } }} o
 */
export function searchReport(land, runs, o) {
  const best = land.best.metric;
  const of = (/** @type {string} */ s, /** @type {number} */ b) => runs.filter((r) => r.searcher === s && r.budget === b);
  const acc = (/** @type {SearchRun[]} */ rs) => rs.map((r) => r.accuracy);
  const cell = (/** @type {SearchRun[]} */ rs) => (rs.length ? `${fix(mean(acc(rs)), 3)} (${fix(min(acc(rs)), 3)})` : 'n/a');
  const top = o.budgets.includes(1) ? 1 : max(o.budgets);
  const tol = 1e-9;
  const overB = (/** @type {SearchRun} */ r) => r.config !== '(none)' && r.tuneCost > land.inferenceBudget * (1 + tol);
  const overSpend = (/** @type {SearchRun} */ r) => r.spend > r.budget + tol;

  // the issue's table
  const head = ['budget', 'default searcher mean (min)', 'random search mean (min)', ...(o.tpe.python ? ['TPE (Optuna) mean (min)'] : []), 'best config in the space', 'default beats random', 'default spend mean (max)'];
  const beats = o.budgets.map((b) => mean(acc(of('default', b))) > mean(acc(of('random', b))));
  const issueRows = o.budgets.map((b, i) => {
    const d = of('default', b);
    return `| ${usd(b, 2)} | **${cell(d)}** | ${cell(of('random', b))} | ${o.tpe.python ? `${cell(of('tpe', b))} | ` : ''}${fix(best, 3)} | ${beats[i] ? 'yes' : '**no**'} | ${usd(mean(d.map((r) => r.spend)), 3)} (${usd(max(d.map((r) => r.spend)), 3)}) |`;
  });

  // the detailed table
  const detail = o.budgets.flatMap((b) => o.searchers.map((s) => {
    const rs = of(s, b);
    const within = rs.filter((r) => r.accuracy >= best - TOLERANCE).length;
    return `| ${usd(b, 2)} | ${NAMES[s] ?? s} | ${fix(mean(acc(rs)), 3)} (${fix(min(acc(rs)), 3)}–${fix(max(acc(rs)), 3)}) | ${fix(best - mean(acc(rs)), 3)} | ${within}/${rs.length} | ${usd(mean(rs.map((r) => r.cost)), 6)} (${usd(max(rs.map((r) => r.cost)), 6)}) | ${rs.filter((r) => !overB(r)).length}/${rs.length} | ${usd(mean(rs.map((r) => r.spend)), 3)} (${usd(max(rs.map((r) => r.spend)), 3)}) | ${fix(mean(rs.map((r) => r.trials)), 1)} | ${fix(mean(rs.map((r) => r.seconds)), 1)} |`;
  }));

  const defaults = runs.filter((r) => r.searcher === 'default');
  const topMean = mean(acc(of('default', top)));
  const beatAll = beats.every(Boolean);
  const close = topMean >= best - TOLERANCE;
  const picksOk = defaults.filter((r) => !overB(r)).length;
  const spendOk = runs.filter((r) => !overSpend(r)).length;
  const verdict = `Goals on this landscape: the default searcher beats random search at every budget — **${beatAll ? 'met' : 'missed'}** (${o.budgets.map((b, i) => `${usd(b, 2)}: ${fix(mean(acc(of('default', b))), 3)} vs ${fix(mean(acc(of('random', b))), 3)}${beats[i] ? '' : ' ✗'}`).join('; ')}); at ${usd(top, 2)} its mean is within ${TOLERANCE} of the best config (${fix(best, 3)}) — **${close ? 'met' : 'missed'}** (${fix(topMean, 3)}, gap ${fix(best - topMean, 3)}); its picks within the inference budget on the tuning rows: ${picksOk}/${defaults.length}; spends within the optimization budget (every searcher): ${spendOk}/${runs.length}.`;

  const perRun = runs.map((r) => `| ${usd(r.budget, 2)} | ${NAMES[r.searcher] ?? r.searcher} | ${r.seed} | ${fix(r.accuracy, 3)} | ${usd(r.cost, 6)} | ${usd(r.tuneCost, 6)} | ${usd(r.spend, 4)} | ${r.trials} | ${r.stop} | ${r.config} |`);
  const markdown = [
    `### ${land.name}: ${land.title}`,
    '',
    `${land.intro} ${o.seeds} seed(s), ${runs.length} runs, ${fix(o.seconds, 0)} s for this landscape (${o.lanes} runs at a time).`,
    '',
    ...land.notes,
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...issueRows,
    '',
    verdict,
    '',
    '| optimization budget | searcher | true metric mean (min–max) | gap to best (mean) | seeds within 0.03 of best | true $/instance mean (max) | picks within the inference budget on the tuning rows | spend mean (max) | trials | seconds per run |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...detail,
    '',
    '<details><summary>Every run</summary>',
    '',
    '| budget | searcher | seed | true metric | true $/instance | tune-rows $/instance | spend | trials | stop | returned config |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...perRun,
    '',
    '</details>',
    '',
  ].join('\n');

  const goals = [
    { name: `search (${land.name}): default searcher beats random search at every budget`, target: 'every budget', value: o.budgets.map((b) => `${usd(b, 2)} ${fix(mean(acc(of('default', b))), 3)} vs ${fix(mean(acc(of('random', b))), 3)}`).join(', '), met: beatAll },
    { name: `search (${land.name}): default searcher's mean at ${usd(top, 2)} vs the best config (${fix(best, 3)})`, target: `≥ best − ${TOLERANCE}`, value: `${fix(topMean, 3)} (gap ${fix(best - topMean, 3)})`, met: close },
    { name: `search (${land.name}): default searcher's picks within the inference budget on the tuning rows`, target: 'all', value: `${picksOk}/${defaults.length}`, met: picksOk === defaults.length },
    { name: `search (${land.name}): server-side spend within the optimization budget (every searcher)`, target: 'all', value: `${spendOk}/${runs.length}`, met: spendOk === runs.length },
  ];
  if (land.name === 'arith') goals.push(...arithGoals(land, runs, o.budgets));
  return { markdown, goals };
}

/**
 * The arithmetic landscape's own goals from before there were others (peers.md): every seed within
 * 0.03 of the best from some budget on, the worst seed at $0.5.
 * @param {BenchLandscape} land @param {SearchRun[]} runs @param {number[]} budgets
 */
function arithGoals(land, runs, budgets) {
  const best = land.best.metric;
  /** @type {Record<string, number | undefined>} */
  const reaches = {};
  for (const b of budgets) {
    for (const s of ['default', 'random']) {
      const rs = runs.filter((r) => r.budget === b && r.searcher === s);
      if (rs.length && rs.every((r) => r.accuracy >= best - TOLERANCE) && reaches[s] === undefined) reaches[s] = b;
    }
  }
  const half = budgets.includes(0.5) ? 0.5 : /** @type {number} */ (budgets[Math.floor(budgets.length / 2)]);
  const halfWorst = min(runs.filter((r) => r.searcher === 'default' && r.budget === half).map((r) => r.accuracy));
  const spendAt = (/** @type {string} */ s, /** @type {number | undefined} */ b) => mean(runs.filter((r) => r.searcher === s && r.budget === b).map((r) => r.spend));
  const d = reaches.default;
  const rnd = reaches.random;
  return [
    { name: `search (arith): default searcher, every seed within ${TOLERANCE} of the best config (${fix(best, 3)}), at the smallest budget`, target: 'reached, at a fraction of random search\'s spend', value: d === undefined ? 'not reached' : `from $${d}, mean spend ${usd(spendAt('default', d), 3)} (random: ${rnd === undefined ? `not at any budget up to $${max(budgets)}` : `from $${rnd}, mean spend ${usd(spendAt('random', rnd), 3)}`})`, met: d !== undefined && (rnd === undefined || d < rnd) },
    { name: `search (arith): default searcher at $${half}, worst seed vs best`, target: '≥ best − 0.03 (peers.md)', value: `${fix(halfWorst, 3)} (best ${fix(best, 3)})`, met: halfWorst >= best - TOLERANCE },
    { name: 'search (arith): picks within the $0.002 inference budget on held-out data', target: 'all', value: `${runs.filter((r) => r.cost <= land.inferenceBudget).length}/${runs.length}`, met: runs.every((r) => r.cost <= land.inferenceBudget) },
  ];
}
