// @ts-check
/**
 * Section 7: a mixed space of a legacy model and reasoning models (fixtures/tasks/reasoning/tune.yaml:
 * gpt-4o-mini, gpt-5-mini, o4-mini × reasoning_effort × prompts), tuned with the real CLI against the
 * fixture server, which refuses what OpenAI refuses. Measured: the budget held (server-side spend),
 * no request refused (400), every trial sampled only with what its model takes, and the pick
 * accepted as is by `autotune create --config best.yaml`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnNode } from '../lib/child.mjs';
import { BIN, ROOT } from '../lib/paths.mjs';
import { usd } from '../lib/stats.mjs';
import { capabilitiesOf, refusal } from '../../dist/src/completion/model-capabilities.js';

const CONFIG = join(ROOT, 'fixtures', 'tasks', 'reasoning', 'tune.yaml');
const PROBLEM = 'A baker makes 7 trays of 20 rolls and sells 90 of them. How many rolls are left?';
const CHECKED = ['temperature', 'top_p', 'stop', 'reasoning_effort', 'verbosity'];

/** @param {import('../run.mjs').BenchContext} ctx */
export async function reasoning(ctx) {
  const p = ctx.profile.reasoning;
  const server = ctx.server0;
  const env = { ...process.env, OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: 'sk-bench-0000', NO_COLOR: '1' };
  delete env.NODE_OPTIONS;
  /** @type {Array<Record<string, any>>} */
  const runs = [];
  for (let seed = 0; seed < p.seeds; seed++) {
    const dir = ctx.freshDir('reasoning');
    ctx.log(`reasoning: tune of the mixed space, $${p.budget}, search seed ${seed}`);
    await server.reset();
    const args = ['tune', CONFIG, '--optimization-budget', String(p.budget), '--search-seed', String(seed), '--log-file', 'log.jsonl', '--cache-path-root', '.cache', '--output', 'best.yaml', '--json'];
    const tune = /** @type {any} */ (await spawnNode([BIN, ...args], { env, cwd: dir }));
    if (tune.code !== 0) throw new Error(`tune exited ${tune.code}: ${tune.stderr.slice(-1500)}`);
    const report = JSON.parse(tune.stdout.trim().split('\n').at(-1));
    const served = await server.stats();
    const trials = readFileSync(join(dir, 'log.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l)).filter((e) => e.type === 'trial');
    const refusedInSpace = trials.filter((t) => {
      const caps = capabilitiesOf(String(t.config.model));
      return caps !== undefined && CHECKED.some((k) => refusal(caps, k, t.config[k]) !== undefined);
    }).length;
    const byModel = new Map();
    for (const t of trials) byModel.set(t.config.model, (byModel.get(t.config.model) ?? 0) + 1);
    // the pick, as is, through create (a pick measured on part of the rows, as at a tiny budget,
    // is saved beside --output as best.partial.yaml)
    const pickFile = existsSync(join(dir, 'best.yaml')) ? 'best.yaml' : 'best.partial.yaml';
    await server.reset();
    const create = /** @type {any} */ (await spawnNode([BIN, 'create', '--config', pickFile, '--var', `problem=${PROBLEM}`, '--no-cache', '--cache-path-root', '.cache', '--json'], { env, cwd: dir }));
    const createServed = await server.stats();
    runs.push({
      seed,
      spent: served.cost,
      reported: report.optimization_cost,
      refused: served.errors.bad_request + served.errors.not_found,
      trials: trials.length,
      byModel: [...byModel].map(([m, n]) => `${m} ${n}`).join(', '),
      refusedInSpace,
      pick: report.best_config ? `${report.best_config.model}${report.best_config.reasoning_effort ? ` (${report.best_config.reasoning_effort})` : ''}, n=${report.best_config.n}` : 'none',
      metric: report.best_result?.success_vote,
      pickValid: create.code === 0 && createServed.ok === 1 && createServed.errors.bad_request === 0,
      reasoningShare: served.completion_tokens > 0 ? served.reasoning_tokens / served.completion_tokens : 0,
    });
  }
  const budgetHeld = runs.every((r) => r.spent <= p.budget + 1e-9);
  const noRefusal = runs.every((r) => r.refused === 0 && r.refusedInSpace === 0);
  const picksValid = runs.every((r) => r.pickValid);
  const markdown = [
    `\`autotune tune fixtures/tasks/reasoning/tune.yaml\` (the README's example: gpt-4o-mini, gpt-5-mini and o4-mini × reasoning_effort minimal…high × two prompts × max_tokens × n) with the real CLI against the fixture server, at an optimization budget of $${p.budget}, ${p.seeds} search seed(s). Spend is the server's \`/stats\`; "refused" counts the 400s and 404s it answered; "outside the model's space" counts trials whose config holds a value the capability table says the model refuses; the pick is then sent as is with \`autotune create --config best.yaml\`.`,
    '',
    '| seed | spent (server) | reported | refused | trials (per model) | outside the model\'s space | pick | success_vote | reasoning share of completion tokens | pick accepted by create |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...runs.map((r) => `| ${r.seed} | ${usd(r.spent, 4)} | ${usd(r.reported, 4)} | ${r.refused} | ${r.trials} (${r.byModel}) | ${r.refusedInSpace} | ${r.pick} | ${r.metric === undefined ? '–' : r.metric.toFixed(3)} | ${(100 * r.reasoningShare).toFixed(0)}% | ${r.pickValid ? 'yes' : '**no**'} |`),
  ].join('\n');
  return {
    markdown,
    goals: [
      { name: 'mixed legacy + reasoning space: server-side spend within the optimization budget', target: `≤ $${p.budget}`, value: runs.map((r) => usd(r.spent, 4)).join(', '), met: budgetHeld },
      { name: 'mixed space: no request refused, no trial outside its model\'s space', target: '0', value: String(runs.reduce((s, r) => s + r.refused + r.refusedInSpace, 0)), met: noRefusal },
      { name: 'mixed space: the pick works as is with create', target: 'every seed', value: `${runs.filter((r) => r.pickValid).length} of ${runs.length}`, met: picksValid },
    ],
  };
}
