// @ts-check
/**
 * An external optimizer as a baseline for the search section: Optuna's TPE (bench/tpe/optuna_tpe.py,
 * run by a Python that has `optuna`, e.g. Debian's python3-optuna) proposes configs from the
 * example config's search space; each is evaluated by autotune's own `runTest` on all tuning
 * rows, against the same fixture server, with the same eval, prices and one `BudgetLedger` for the
 * whole search (so the optimization budget holds exactly as it does for the tuner).
 *
 * What TPE does not get: scoring every n from one request, racing over rows, or a probe — each
 * proposal pays for its own n samples, row block by row block (4, 8, 16 rows, then the rest, in
 * file order), with no response cache (a proposal is never asked twice).
 * What it gets, as Optuna's pruning would give it: a trial whose cost per instance so far is over
 * 1.5 × the inference budget after a block stops there (after 4 rows at the earliest). Its value is the tuning-row metric, less
 * 1 when the config's cost per instance is over the inference budget (a constraint Optuna's TPE
 * cannot take directly). The pick is the best metric among trials measured on all rows within the
 * inference budget. A proposal one of whose requests does not fit what is left of the optimization
 * budget (the ledger reserves each request's worst case, n × max_tokens at list price, as for the
 * tuner) fails and the search goes on; it stops when less than 1% of the budget is left or 25
 * proposals in a row could not be measured.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import YAML from 'yaml';
import { ROOT } from './paths.mjs';

const DRIVER = join(ROOT, 'bench', 'tpe', 'optuna_tpe.py');
/** Rows of a trial's blocks, in order (the rest of the rows make the last). */
const BLOCKS = [4, 8, 16];
/** A trial whose cost per instance so far passes this multiple of the inference budget stops. */
const PRUNE_AT = 1.5;

/**
 * A Python that imports optuna, or why there is none: $AUTOTUNE_BENCH_PYTHON, then Debian's
 * /usr/bin/python3, then python3 on the PATH.
 * @returns {{ python: string, version: string } | { python: null, reason: string }}
 */
export function findOptuna() {
  const candidates = [process.env.AUTOTUNE_BENCH_PYTHON, '/usr/bin/python3', 'python3'].filter((c) => typeof c === 'string' && c !== '');
  const tried = [];
  for (const python of /** @type {string[]} */ (candidates)) {
    const r = spawnSync(python, ['-c', 'import optuna; print(optuna.__version__)'], { encoding: 'utf8', timeout: 30_000 });
    if (r.status === 0) return { python, version: r.stdout.trim() };
    tried.push(`${python}: ${r.error ? r.error.message : (r.stderr.trim().split('\n').at(-1) ?? `exit ${r.status}`)}`);
  }
  return { python: null, reason: `no Python with optuna (${tried.join('; ')}); on Debian: apt-get install python3-optuna` };
}

/** @typedef {{ name: string, kind: 'choice', options: unknown[] } | { name: string, kind: 'float', low: number, high: number } | { name: string, kind: 'int', low: number, high: number, log: boolean } | { name: string, kind: 'branch', options: Array<{ label: string, dims: Dim[] }> }} Dim */

/**
 * The TPE space of a tune config's search_space (the forms the example configs use: a list is a
 * choice, uniform, randint, lograndint, and temperature_or_top_p as a choice of sub-spaces).
 * @param {Record<string, any>} space @returns {Dim[]}
 */
export function tpeSpace(space) {
  /** @type {Dim[]} */
  const dims = [];
  for (const [name, value] of Object.entries(space)) {
    if (name === 'temperature_or_top_p') {
      dims.push({ name, kind: 'branch', options: value.map((/** @type {Record<string, any>} */ sub) => ({ label: Object.keys(sub).join('+'), dims: tpeSpace(sub) })) });
    } else dims.push(dimOf(name, value));
  }
  return dims;
}

/** @param {string} name @param {any} v @returns {Dim} */
function dimOf(name, v) {
  if (Array.isArray(v)) return { name, kind: 'choice', options: v };
  if (v && typeof v === 'object') {
    if (v.uniform) return { name, kind: 'float', low: v.uniform[0], high: v.uniform[1] };
    if (v.randint) return { name, kind: 'int', low: v.randint[0], high: v.randint[1], log: false };
    if (v.lograndint) return { name, kind: 'int', low: v.lograndint[0], high: v.lograndint[1], log: true };
  }
  return { name, kind: 'choice', options: [v] };
}

/**
 * One TPE search (runs inside a bench worker process).
 * @param {{ python: string, configFile: string, eval?: string, budget: number, seed: number, dir: string, baseURL: string }} job
 * @param {{ runTest: (input: any) => Promise<any>, BudgetLedger: new (usd: number) => any }} lib autotune's library (dist)
 */
export async function runTpe(job, lib) {
  const doc = YAML.parse(readFileSync(job.configFile, 'utf8'));
  const base = dirname(resolve(job.configFile));
  const rows = readFileSync(resolve(base, doc.data), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  const budget = Number(doc.inference_budget);
  const ledger = new lib.BudgetLedger(job.budget);
  const child = spawn(job.python, [DRIVER, JSON.stringify(tpeSpace(doc.search_space)), String(job.seed)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: /** @type {import('node:stream').Readable} */ (child.stdout) })[Symbol.asyncIterator]();
  const call = async (/** @type {object} */ msg) => {
    child.stdin?.write(`${JSON.stringify(msg)}\n`);
    const next = await lines.next();
    if (next.done) throw new Error('the TPE driver exited');
    return JSON.parse(next.value);
  };
  /** One block of rows through autotune's runTest. @param {Record<string, unknown>} params @param {object[]} block */
  const test = (params, block) => lib.runTest({
    data: block,
    params,
    eval: job.eval ?? doc.eval,
    budget: ledger,
    seed: String(doc.seed ?? 41),
    concurrency: doc.concurrency ?? 8,
    ci: false,
    env: { OPENAI_BASE_URL: job.baseURL, OPENAI_API_KEY: 'sk-bench-0000' },
    cwd: base,
    run: { prices: doc.prices ?? {}, cache: false },
  });
  /** @type {Array<{ params: Record<string, unknown>, metric: number, cost: number }>} */
  const done = [];
  let pruned = 0;
  let refusedInARow = 0;
  while (ledger.remaining >= 0.01 * job.budget && refusedInARow < 25) {
    const { trial, params: asked } = await call({ op: 'ask' });
    const params = Object.fromEntries(Object.entries(asked).filter(([, v]) => v !== null));
    let metric = 0;
    let cost = 0;
    let seen = 0;
    let refused = false;
    for (let at = 0, b = 0; at < rows.length; at += BLOCKS[b++] ?? rows.length) {
      const block = rows.slice(at, at + (BLOCKS[b] ?? rows.length));
      const report = await test(params, block);
      if (report.instances < block.length || report.failed > 0) {
        refused = true; // a request did not fit what is left of the optimization budget
        break;
      }
      metric += Number(report.metrics[doc.metric]) * block.length;
      cost += Number(report.metrics.inference_cost) * block.length;
      seen += block.length;
      if (cost / seen > PRUNE_AT * budget) break;
    }
    if (refused) {
      refusedInARow++;
      await call({ op: 'tell', trial, value: null });
      continue;
    }
    refusedInARow = 0;
    const m = metric / seen;
    const c = cost / seen;
    if (seen < rows.length) pruned++;
    else done.push({ params, metric: m, cost: c });
    await call({ op: 'tell', trial, value: c <= budget ? m : m - 1 });
  }
  child.stdin?.end();
  child.kill();
  const fits = done.filter((t) => t.cost <= budget).sort((a, b) => b.metric - a.metric || a.cost - b.cost);
  const pick = fits[0];
  return {
    config: pick ? pick.params : null,
    result: pick ? { [doc.metric]: pick.metric, inference_cost: pick.cost, rows: rows.length } : null,
    trials: done.length + pruned,
    pruned,
    optimizationCost: ledger.spent,
    stopReason: 'budget',
  };
}
