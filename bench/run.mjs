#!/usr/bin/env node
// @ts-check
/**
 * autotune's benchmarks: `npm run bench` (builds first) runs every section against the fixture
 * server on 127.0.0.1 and writes a Markdown report.
 *
 *   node bench/run.mjs [--quick | --tiny] [--section NAME[,NAME…]] [--seeds N] [--landscape NAME[,NAME…]] [--out FILE] [--keep]
 *
 * Sections: overhead, latency, cache, scale, search, tuner, reasoning. --seeds N: search seeds per searcher
 * and budget; --landscape: the search section's landscapes (arith, code, classify; default all);
 * --no-tpe: leave Optuna's TPE out of the search section. Default output: bench/results.md (full, every section), bench/results-quick.md
 * (--quick), bench/results-tiny.md (--tiny), bench/results-partial.md (some sections, or --seeds). --keep leaves the
 * temp dir (datasets, caches, profiles) in place. Exit code 1 if a section failed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DIST, ROOT } from './lib/paths.mjs';
import { startServerProcess } from './lib/server.mjs';
import { cache } from './sections/cache.mjs';
import { latency } from './sections/latency.mjs';
import { overhead } from './sections/overhead.mjs';
import { scale } from './sections/scale.mjs';
import { LANDSCAPE_NAMES, search } from './sections/search.mjs';
import { tuner } from './sections/tuner.mjs';
import { reasoning } from './sections/reasoning.mjs';

/** Sizes of every section per mode: full ≈ 6–7 min, quick ≈ 1–2 min, tiny (the CI smoke test) < 30 s on 2 cores. */
const PROFILES = {
  full: {
    overhead: { n: 2000, concurrency: [8, 32], reps: 5 },
    latency: { latencyMs: 200, concurrency: [1, 8, 32], rows: { 1: 40, 8: 320, 32: 320 }, reps: 1 },
    cache: { n: 5000, concurrency: 32, reps: 5 },
    scale: { sizes: [10_000, 30_000, 100_000], concurrency: 32, reps: 3 },
    search: { budgets: [0.25, 0.5, 1.0], seeds: 10, lanes: 2, tpe: true, truthTrials: 20, grid: { coarseTrials: 4, fineTrials: 40, temperatures: [0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.5], topPs: [0.25, 0.5, 0.75, 1.0], maxN: 20 } },
    tuner: { budget: 1.0, latencyMs: 200 },
    reasoning: { budget: 0.5, seeds: 3 },
  },
  quick: {
    overhead: { n: 1000, concurrency: [8, 32], reps: 1 },
    latency: { latencyMs: 200, concurrency: [1, 8, 32], rows: { 1: 10, 8: 80, 32: 320 }, reps: 1 },
    cache: { n: 2000, concurrency: 32, reps: 1 },
    scale: { sizes: [2_000, 10_000], concurrency: 32, reps: 1 },
    search: { budgets: [0.25, 0.5, 1.0], seeds: 2, lanes: 2, tpe: true, truthTrials: 5, grid: { coarseTrials: 2, fineTrials: 10, temperatures: [0, 0.4, 0.6, 0.8, 1.0, 1.2], topPs: [0.5, 1.0], maxN: 20 } },
    tuner: { budget: 1.0, latencyMs: 200 },
    reasoning: { budget: 0.3, seeds: 1 },
  },
  tiny: {
    overhead: { n: 40, concurrency: [8, 32], reps: 1 },
    latency: { latencyMs: 20, concurrency: [1, 8, 32], rows: { 1: 4, 8: 16, 32: 32 }, reps: 1 },
    cache: { n: 40, concurrency: 32, reps: 1 },
    scale: { sizes: [50, 200], concurrency: 32, reps: 1 },
    search: { budgets: [0.1, 0.2, 0.3], budgetsFor: { code: [0.05], classify: [0.03] }, seeds: 1, lanes: 2, tpe: false, truthTrials: 1, grid: { coarseTrials: 1, fineTrials: 1, temperatures: [0.8], topPs: [], maxN: 8 } },
    tuner: { budget: 0.3, latencyMs: 20 },
    reasoning: { budget: 0.1, seeds: 1 },
  },
};

/** @typedef {typeof PROFILES.full & { search: { budgetsFor?: Record<string, number[]> } }} Profile */
/**
 * @typedef {{
 *   mode: 'full' | 'quick' | 'tiny', profile: Profile, tmp: string, landscapes: Array<'arith' | 'code' | 'classify'>,
 *   server0: import('./lib/server.mjs').ServerProcess,
 *   log: (msg: string) => void, freshDir: (prefix: string) => string, freeDir: (dir: string) => void,
 * }} BenchContext
 * @typedef {{ name: string, target: string, value: string, met: boolean | null }} Goal
 */

const SECTIONS = [
  { id: 'overhead', title: '1. Request overhead', run: overhead },
  { id: 'latency', title: '2. Latency hiding', run: latency },
  { id: 'cache', title: '3. Cache', run: cache },
  { id: 'scale', title: '4. Scale', run: scale },
  { id: 'search', title: '5. Search efficiency', run: search },
  { id: 'tuner', title: '6. Overhead of the tuner itself', run: tuner },
  { id: 'reasoning', title: '7. Legacy and reasoning models in one space', run: reasoning },
];

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    tiny: { type: 'boolean' },
    section: { type: 'string', multiple: true },
    out: { type: 'string' },
    keep: { type: 'boolean' },
    seeds: { type: 'string' },
    landscape: { type: 'string', multiple: true },
    'no-tpe': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});
if (flags.help) {
  process.stdout.write('usage: node bench/run.mjs [--quick | --tiny] [--section overhead,latency,cache,scale,search,tuner,reasoning] [--seeds N] [--landscape arith,code,classify] [--no-tpe] [--out FILE] [--keep]\n');
  process.exit(0);
}
if (!existsSync(DIST)) {
  process.stderr.write('bench: dist/ is missing; run `npm run bench` (it builds first) or `npm run build`\n');
  process.exit(2);
}
/** @type {'full' | 'quick' | 'tiny'} */
const mode = flags.tiny ? 'tiny' : flags.quick ? 'quick' : 'full';
const wanted = (flags.section ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
for (const w of wanted) if (!SECTIONS.some((s) => s.id === w)) throw new Error(`unknown section ${w}; known: ${SECTIONS.map((s) => s.id).join(', ')}`);
const chosen = wanted.length ? SECTIONS.filter((s) => wanted.includes(s.id)) : SECTIONS;
const seeds = flags.seeds === undefined ? undefined : Number(flags.seeds);
if (seeds !== undefined && !(Number.isInteger(seeds) && seeds >= 1)) throw new Error(`--seeds must be an integer >= 1, got ${flags.seeds}`);
const landscapes = (flags.landscape ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
for (const l of landscapes) if (!LANDSCAPE_NAMES.includes(/** @type {any} */ (l))) throw new Error(`unknown landscape ${l}; known: ${LANDSCAPE_NAMES.join(', ')}`);
// A run of some sections, or with more seeds, is not the report: it goes to a file of its own.
const partial = wanted.length > 0 || seeds !== undefined || landscapes.length > 0 || flags['no-tpe'] === true;
const out = resolve(flags.out ?? join(ROOT, 'bench', mode === 'full' && !partial ? 'results.md' : `results-${partial ? 'partial' : mode}.md`));
const modeFlag = `${mode === 'full' ? '' : ` --${mode}`}${seeds !== undefined ? ` --seeds ${seeds}` : ''}${landscapes.length ? ` --landscape ${landscapes.join(',')}` : ''}${flags['no-tpe'] ? ' --no-tpe' : ''}`;

const started = performance.now();
const startLoad = loadavg();
const tmp = mkdtempSync(join(tmpdir(), 'autotune-bench-'));
let dirs = 0;
const log = (/** @type {string} */ msg) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${msg}\n`);
const server0 = await startServerProcess({ latencyMs: 0 });
/** @type {BenchContext} */
const ctx = {
  mode,
  profile: /** @type {Profile} */ ({ ...PROFILES[mode], search: { ...PROFILES[mode].search, ...(seeds === undefined ? {} : { seeds }), ...(flags['no-tpe'] ? { tpe: false } : {}) } }),
  tmp,
  landscapes: /** @type {Array<'arith' | 'code' | 'classify'>} */ (landscapes),
  server0,
  log,
  freshDir: (prefix) => {
    const d = join(tmp, `${prefix}-${++dirs}`);
    mkdirSync(d, { recursive: true });
    return d;
  },
  freeDir: (d) => rmSync(d, { recursive: true, force: true }),
};

/** @type {Array<{ id: string, title: string, seconds: number, markdown: string, goals: Goal[], error?: string }>} */
const results = [];
try {
  for (const s of chosen) {
    log(`section ${s.title}`);
    const t0 = performance.now();
    try {
      const r = await s.run(ctx);
      results.push({ id: s.id, title: s.title, seconds: (performance.now() - t0) / 1000, ...r });
    } catch (err) {
      process.exitCode = 1;
      log(`section ${s.id} failed: ${err instanceof Error ? err.stack : String(err)}`);
      results.push({ id: s.id, title: s.title, seconds: (performance.now() - t0) / 1000, markdown: `**This section failed**: ${String(err instanceof Error ? err.message : err)}`, goals: [], error: String(err) });
    }
  }
} finally {
  await server0.close();
  if (!flags.keep) rmSync(tmp, { recursive: true, force: true });
}

const seconds = (performance.now() - started) / 1000;
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, report());
log(`wrote ${relative(process.cwd(), out) || out} (${seconds.toFixed(0)} s)`);

function report() {
  const cpu = cpus();
  const goals = results.flatMap((r) => r.goals.map((g) => ({ ...g, section: r.title })));
  const mark = (/** @type {boolean | null} */ met) => (met === null ? '—' : met ? '**met**' : '**missed**');
  return [
    `# autotune benchmarks${mode === 'full' ? '' : ` (${mode})`}`,
    '',
    `Generated by \`npm run bench${modeFlag ? ` --${modeFlag}` : ''}\` (\`bench/run.mjs\`) on ${new Date().toISOString()}, in ${seconds.toFixed(0)} s. Every figure below was measured in this one run, each ratio side by side against its baseline.`,
    '',
    '| machine | |',
    '|---|---|',
    `| CPU | ${cpu[0]?.model ?? 'unknown'} × ${cpu.length} |`,
    `| memory | ${(totalmem() / 2 ** 30).toFixed(1)} GiB |`,
    `| OS | ${platform()} ${release()} |`,
    `| Node | ${process.version} |`,
    `| autotune | ${gitDescribe()} |`,
    `| load average (1 min) | ${startLoad[0]?.toFixed(2)} at the start, ${loadavg()[0]?.toFixed(2)} at the end |`,
    '',
    'Everything runs on loopback against the bundled fixture server (`fixtures/server`, an OpenAI-compatible simulator), started as a separate process (`node fixtures/server/cli.mjs`) so that the client under test does not share its event loop; each measured client runs in a fresh process. On a 2-core machine the client and the server get one core each.',
    '',
    '## Goals',
    '',
    '| section | goal | target | measured | |',
    '|---|---|---|---|---|',
    ...goals.map((g) => `| ${g.section} | ${g.name} | ${g.target} | ${g.value} | ${mark(g.met)} |`),
    ...results.filter((r) => r.error).map((r) => `| ${r.title} | the section ran | | failed: ${r.error?.split('\n')[0]} | **missed** |`),
    '',
    ...results.flatMap((r) => [
      `## ${r.title}`,
      '',
      `Reproduce: \`npm run bench -- --section ${r.id}${modeFlag}\` (${r.seconds.toFixed(0)} s here).`,
      '',
      r.markdown,
      '',
    ]),
  ].join('\n');
}

function gitDescribe() {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return `commit ${head}${dirty ? ' + uncommitted changes' : ''}`;
  } catch {
    return 'unknown';
  }
}
