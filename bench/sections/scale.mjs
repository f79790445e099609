// @ts-check
/** Section 4: scale — peak RSS of `autotune test` as the number of lines grows. */
import { join } from 'node:path';
import { runCli } from '../lib/child.mjs';
import { writeRows } from '../lib/data.mjs';
import { fix, int, max, median, min, spread } from '../lib/stats.mjs';
import { testArgs } from './overhead.mjs';

const MB = 1024 * 1024;

/** Figures of one CLI run: peak RSS, the JS heap retained at exit, wall time. @param {Awaited<ReturnType<typeof runCli>>} r */
function memoryOf(r) {
  return { peak: r.maxRSSKB / 1024, retained: (r.retainedHeap ?? NaN) / MB, wallMs: r.wallMs };
}

/** @param {import('../run.mjs').BenchContext} ctx */
export async function scale(ctx) {
  const p = ctx.profile.scale;
  const server = ctx.server0;
  const lines = [];
  /** @type {Array<{ n: number, fresh: Array<ReturnType<typeof memoryOf>>, cached: Array<ReturnType<typeof memoryOf>> }>} */
  const runs = [];
  const cell = (/** @type {Array<ReturnType<typeof memoryOf>>} */ ms, /** @type {number} */ n) =>
    `**${spread(ms.map((m) => m.peak), (x) => fix(x))}** | ${spread(ms.map((m) => m.retained), (x) => fix(x, 1))} | ${fix(median(ms.map((m) => m.wallMs)) / 1000, 1)} s (${int((n / median(ms.map((m) => m.wallMs))) * 1000)}/s)`;
  for (const n of p.sizes) {
    const data = await writeRows(join(ctx.tmp, `scale-${n}.jsonl`), n);
    const opts = { baseURL: server.baseURL, nodeArgs: ['--expose-gc'] };
    const run = { n, fresh: /** @type {Array<ReturnType<typeof memoryOf>>} */ ([]), cached: /** @type {Array<ReturnType<typeof memoryOf>>} */ ([]) };
    for (let rep = 0; rep < p.reps; rep++) {
      const cacheRoot = ctx.freshDir('cache');
      await server.reset();
      ctx.log(`scale: ${n} rows, uncached (rep ${rep + 1}/${p.reps})`);
      const fresh = await runCli(testArgs(data, p.concurrency, cacheRoot), opts);
      if (fresh.json?.instances !== n || fresh.json?.failed !== 0) throw new Error(`scale: ${JSON.stringify(fresh.json)?.slice(0, 300)}`);
      ctx.log(`scale: ${n} rows, cached (rep ${rep + 1}/${p.reps})`);
      const cached = await runCli(testArgs(data, p.concurrency, cacheRoot), opts);
      if (cached.json?.cached !== n) throw new Error(`scale: the re-run served ${cached.json?.cached} of ${n} from the cache`);
      run.fresh.push(memoryOf(fresh));
      run.cached.push(memoryOf(cached));
      ctx.freeDir(cacheRoot);
    }
    runs.push(run);
    lines.push(`| ${int(n)} | ${cell(run.fresh, n)} | ${cell(run.cached, n)} |`);
  }
  const first = /** @type {(typeof runs)[number]} */ (runs[0]);
  const last = /** @type {(typeof runs)[number]} */ (runs.at(-1));
  const peak = (/** @type {Array<ReturnType<typeof memoryOf>>} */ ms) => median(ms.map((m) => m.peak));
  const worst = max([...last.fresh, ...last.cached].map((m) => m.peak));
  // judged on the median of the repetitions: a run's peak depends on when V8 happens to collect
  const growth = (/** @type {'fresh' | 'cached'} */ k) => peak(last[k]) / peak(first[k]);
  const peakGrowth = Math.max(growth('fresh'), growth('cached'));
  const retained = runs.flatMap((r) => [...r.fresh, ...r.cached].map((m) => m.retained));
  const medRetained = (/** @type {Array<ReturnType<typeof memoryOf>>} */ ms) => median(ms.map((m) => m.retained));
  const retainedGrowth = Math.max(medRetained(last.fresh) / medRetained(first.fresh), medRetained(last.cached) / medRetained(first.cached));
  const freshPeaks = last.fresh.map((m) => m.peak);
  const markdown = [
    `\`node bin/autotune.js test --data FILE … --concurrency ${p.concurrency} --json\` spawned over generated JSONL files of distinct rows (written to a temp dir, deleted afterwards): first uncached against the zero-latency fixture server, then fully cached, ${p.reps} time(s) per size (a fresh cache each time); cells show the median (min–max), the goals are judged on the medians. A probe preloaded into the CLI process (\`bench/lib/probe.mjs\`) reads its peak RSS (\`process.resourceUsage().maxRSS\`, the high-water mark) at exit and, after a full GC at exit (the child runs with \`--expose-gc\`), the JS heap it still holds. The CLI path includes the usage log.`,
    '',
    '| lines | uncached: peak RSS (MB) | heap retained at exit (MB) | wall (median) | cached: peak RSS (MB) | heap retained at exit (MB) | wall (median) |',
    '|---|---|---|---|---|---|---|',
    ...lines,
    '',
    `Peak RSS from ${int(first.n)} to ${int(last.n)} lines (medians): ×${fix(growth('fresh'), 2)} uncached, ×${fix(growth('cached'), 2)} cached; the heap retained at exit stays between ${fix(min(retained), 1)} and ${fix(max(retained), 1)} MB at every size, so nothing is kept per row. What varies is garbage waiting in V8's old generation: objects that were alive during two young-generation collections are moved there and freed only by a full GC, whose threshold V8 sets from the live heap and from how fast the old generation fills. A cached row leaves almost nothing there; an uncached one leaves what its request had in flight (mostly the \`openai\` client's own objects: the bare client leaves as much), so the uncached peak at ${int(last.n)} lines depends on when V8 collects (${spread(freshPeaks, (x) => fix(x))} MB over ${p.reps} run(s) here). A leak would show in the retained heap.`,
  ].join('\n');
  return {
    markdown,
    goals: [
      { name: `scale: peak RSS at ${int(last.n)} lines (uncached and cached)`, target: '< 300 MB', value: `${fix(worst)} MB (highest run)`, met: worst < 300 },
      { name: `scale: peak RSS flat from ${int(first.n)} to ${int(last.n)} lines (medians of ${p.reps})`, target: 'growth ≤ ×1.2', value: `×${fix(growth('fresh'), 2)} uncached, ×${fix(growth('cached'), 2)} cached`, met: peakGrowth <= 1.2 },
      { name: `scale: JS heap retained at exit, ${int(last.n)} vs ${int(first.n)} lines`, target: 'growth ≤ ×1.1', value: `×${fix(retainedGrowth, 2)}`, met: retainedGrowth <= 1.1 },
    ],
  };
}
