// @ts-check
/** Summarise a V8 `.cpuprofile` (from `node --cpu-prof`): where the CPU went, by owner. */
import { readFileSync } from 'node:fs';

/**
 * Attribute every sample to the nearest frame (from the leaf up) that belongs to autotune
 * (`dist/src/…`, by file), the openai client, better-sqlite3, or else Node itself (HTTP, streams,
 * timers), the garbage collector or idle time.
 * @param {string} file
 * @returns {{ totalMs: number, byOwner: Array<[string, number]>, byFile: Array<[string, number]> }}
 */
export function summarizeProfile(file) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  /** @type {Map<number, any>} */
  const nodes = new Map(p.nodes.map((/** @type {any} */ n) => [n.id, n]));
  /** @type {Map<number, number>} */
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  /** @type {Map<string, number>} */
  const owners = new Map();
  /** @type {Map<string, number>} */
  const files = new Map();
  let total = 0;
  p.samples.forEach((/** @type {number} */ id, /** @type {number} */ i) => {
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    const leaf = nodes.get(id).callFrame.functionName;
    let owner = leaf === '(garbage collector)' ? 'garbage collector' : leaf === '(idle)' ? 'idle (waiting)' : leaf === '(program)' ? 'V8 (program)' : '';
    for (let cur = /** @type {number | undefined} */ (id); !owner && cur !== undefined; cur = parent.get(cur)) {
      const url = nodes.get(cur).callFrame.url;
      if (url.includes('/dist/src/')) {
        owner = 'autotune';
        const f = url.split('/dist/src/')[1].replace(/\.js$/, '.ts');
        files.set(f, (files.get(f) ?? 0) + dt);
      } else if (url.includes('node_modules/openai/')) owner = 'openai client';
      else if (url.includes('node_modules/better-sqlite3/')) owner = 'better-sqlite3 (SQLite)';
    }
    owner ||= 'Node itself (HTTP, streams, timers, module loading, …)';
    owners.set(owner, (owners.get(owner) ?? 0) + dt);
  });
  const sorted = (/** @type {Map<string, number>} */ m) => [...m].sort((a, b) => b[1] - a[1]);
  return { totalMs: total, byOwner: sorted(owners), byFile: sorted(files) };
}

/**
 * One sentence for the report: where a profiled run's CPU went, by owner and by autotune file.
 * @param {ReturnType<typeof summarizeProfile> | undefined} prof @param {string} what
 */
export function describeProfile(prof, what) {
  if (!prof) return `The profile of ${what} could not be read.`;
  const share = (/** @type {number} */ ms) => `${ms.toFixed(0)} ms (${((100 * ms) / prof.totalMs).toFixed(0)}%)`;
  return `Profile of ${what} (\`node --cpu-prof\`, self time by owner, ${prof.totalMs.toFixed(0)} ms sampled, module loading included): ${prof.byOwner.map(([k, v]) => `${k} ${share(v)}`).join(', ')}. autotune's own code by file: ${prof.byFile.slice(0, 8).map(([k, v]) => `\`${k}\` ${v.toFixed(0)} ms`).join(', ')}.`;
}

/**
 * Run `fn(nodeArgs)` with the V8 profiler writing into `dir`, and summarise the profile it wrote.
 * @param {string} dir @param {(nodeArgs: string[]) => Promise<unknown>} fn
 */
export async function profiled(dir, fn) {
  const { readdirSync } = await import('node:fs');
  const { join } = await import('node:path');
  await fn(['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  return file ? summarizeProfile(join(dir, file)) : undefined;
}
