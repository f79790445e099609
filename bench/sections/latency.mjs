// @ts-check
/** Section 2: latency hiding — wall time at 200 ms per request vs the ideal N × latency / concurrency. */
import { join } from 'node:path';
import { MODEL, PROMPT, writeRows } from '../lib/data.mjs';
import { startServerProcess } from '../lib/server.mjs';
import { fix, int, median } from '../lib/stats.mjs';
import { runClient } from './overhead.mjs';

/** @param {import('../run.mjs').BenchContext} ctx */
export async function latency(ctx) {
  const p = ctx.profile.latency;
  const rowsAt = (/** @type {number} */ c) => /** @type {Record<number, number>} */ (p.rows)[c] ?? 0;
  const server = await startServerProcess({ latencyMs: p.latencyMs });
  const lines = [];
  const goals = [];
  try {
    for (const concurrency of p.concurrency) {
      const n = rowsAt(concurrency);
      const data = await writeRows(join(ctx.tmp, `latency-${n}.jsonl`), n);
      const ideal = (n * p.latencyMs) / concurrency;
      /** @type {Record<string, number[]>} */
      const walls = { raw: [], lib: [], cli: [] };
      for (let rep = 0; rep < p.reps; rep++) {
        for (const who of /** @type {const} */ (['raw', 'lib', 'cli'])) {
          ctx.log(`latency: ${who} c=${concurrency} n=${n} rep ${rep + 1}/${p.reps}`);
          walls[who]?.push((await runClient(who, { ctx, server, data, n, concurrency })).wallMs);
        }
      }
      const cell = (/** @type {string} */ who) => {
        const w = median(walls[who] ?? []);
        return `${fix(w / 1000, 2)} s (${fix(w / ideal, 3)}×)`;
      };
      const libOver = median(walls.lib ?? []) / ideal;
      const vsBare = median(walls.lib ?? []) / median(walls.raw ?? []);
      lines.push(`| ${concurrency} | ${int(n)} | ${fix(ideal / 1000, 2)} s | ${cell('raw')} | **${cell('lib')}** | ${fix(vsBare, 3)} | ${cell('cli')} |`);
      if (concurrency === Math.max(...p.concurrency)) {
        goals.push({ name: `latency hiding, c=${concurrency}: autotune test (library) wall / ideal`, target: '≤ 1.15 (peers: ≤ 1.05)', value: fix(libOver, 3), met: libOver <= 1.15 });
      }
    }
  } finally {
    await server.close();
  }
  const markdown = [
    `The fixture server (own process) answers every request after ${p.latencyMs} ms. Fewer rows than section 1 to bound the time: ${p.concurrency.map((c) => `${int(rowsAt(c))} at concurrency ${c}`).join(', ')}; distinct rows (${MODEL}, \`${PROMPT}\`), a fresh cache per autotune run, ${p.reps} run(s) each (median). Ideal = N × ${p.latencyMs} ms / concurrency; the factor in brackets is wall / ideal. The goal is for the library path; the CLI's figure includes its process start-up.`,
    '',
    '| concurrency | rows | ideal | bare client | autotune library | library wall / bare wall | autotune CLI (spawned) |',
    '|---|---|---|---|---|---|---|',
    ...lines,
  ].join('\n');
  return { markdown, goals };
}
