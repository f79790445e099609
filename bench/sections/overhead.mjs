// @ts-check
/** Section 1: request overhead at zero server latency — autotune test vs the bare openai client. */
import { join } from 'node:path';
import { runCli, runWorker, spawnNode } from '../lib/child.mjs';
import { describeProfile, profiled } from '../lib/profile.mjs';
import { MODEL, PROMPT, writeRows } from '../lib/data.mjs';
import { BIN } from '../lib/paths.mjs';
import { fix, int, max, median, spread } from '../lib/stats.mjs';

/** @typedef {import('../run.mjs').BenchContext} BenchContext */

/**
 * Run one client over the rows against a freshly reset server; returns wall time, CPU and the
 * requests the server saw (to prove nothing was served from a cache).
 * @param {'raw' | 'rawHttp' | 'lib' | 'cli'} who
 * @param {{ ctx: BenchContext, server: import('../lib/server.mjs').ServerProcess, data: string, n: number, concurrency: number }} o
 */
export async function runClient(who, o) {
  await o.server.reset();
  const common = { baseURL: o.server.baseURL, data: o.data, concurrency: o.concurrency, model: MODEL, prompt: PROMPT };
  let wallMs;
  let cpuMs;
  let maxRSSKB;
  if (who === 'raw' || who === 'rawHttp') {
    ({ wallMs, cpuMs, maxRSSKB } = await runWorker({ kind: 'raw', ...common, ...(who === 'rawHttp' ? { fetch: 'autotune' } : {}) }));
  } else if (who === 'lib') {
    const r = await runWorker({ kind: 'test', ...common, cacheRoot: o.ctx.freshDir('cache') });
    if (r.value.instances !== o.n || r.value.failed !== 0) throw new Error(`runTest: ${r.value.instances} instances, ${r.value.failed} failed`);
    ({ wallMs, cpuMs, maxRSSKB } = r);
  } else {
    const r = await runCli(testArgs(o.data, o.concurrency, o.ctx.freshDir('cache')), { baseURL: o.server.baseURL });
    if (r.json?.instances !== o.n || r.json?.failed !== 0) throw new Error(`autotune test: ${JSON.stringify(r.json)?.slice(0, 300)}`);
    ({ wallMs, cpuMs, maxRSSKB } = r);
  }
  const served = (await o.server.stats()).requests;
  if (served !== o.n) throw new Error(`${who}: the server saw ${served} requests for ${o.n} rows`);
  return { wallMs, cpuMs, maxRSSKB, rps: (o.n / wallMs) * 1000 };
}

/** The argv of `autotune test` used throughout the bench. @param {string} data @param {number} concurrency @param {string} cacheRoot */
export function testArgs(data, concurrency, cacheRoot) {
  return ['test', '--data', data, '--model', MODEL, '--prompt', PROMPT, '--eval', 'builtin:answer_vote', '--concurrency', String(concurrency), '--cache-path-root', cacheRoot, '--json'];
}

/** Wall time of the CLI's start-up alone (`autotune --help`), median of 3. */
export async function cliStartupMs() {
  const times = [];
  for (let i = 0; i < 3; i++) times.push(/** @type {any} */ (await spawnNode([BIN, '--help'])).wallMs);
  return median(times);
}

/** @param {BenchContext} ctx */
export async function overhead(ctx) {
  const p = ctx.profile.overhead;
  const server = ctx.server0;
  const data = await writeRows(join(ctx.tmp, `overhead-${p.n}.jsonl`), p.n);
  const startup = await cliStartupMs();
  const lines = [];
  const goals = [];
  for (const concurrency of p.concurrency) {
    /** @type {Record<string, Array<{ wallMs: number, cpuMs: number, rps: number }>>} */
    const runs = { raw: [], rawHttp: [], lib: [], cli: [] };
    for (let rep = 0; rep < p.reps; rep++) {
      // rotate the order so that drifts of the machine do not favour one client
      const order = /** @type {const} */ (['raw', 'rawHttp', 'lib', 'cli']).map((_, i, a) => a[(i + rep) % a.length]);
      for (const who of order) {
        ctx.log(`overhead: ${who} c=${concurrency} rep ${rep + 1}/${p.reps}`);
        runs[/** @type {string} */ (who)]?.push(await runClient(/** @type {any} */ (who), { ctx, server, data, n: p.n, concurrency }));
      }
    }
    const rps = (/** @type {string} */ who) => (runs[who] ?? []).map((r) => r.rps);
    const cpuPerReq = (/** @type {string} */ who) => median((runs[who] ?? []).map((r) => r.cpuMs / p.n));
    // Ratios of the fastest runs: other load on the machine only ever slows a run down, so the
    // fastest of the repetitions is the best estimate of each client's own cost.
    const ratio = max(rps('lib')) / max(rps('raw'));
    const sameFetch = max(rps('lib')) / max(rps('rawHttp'));
    const cliRatio = max(rps('cli')) / max(rps('raw'));
    const cliNoStart = median((runs.cli ?? []).map((r) => (p.n / (r.wallMs - startup)) * 1000));
    const own = cpuPerReq('lib') - cpuPerReq('rawHttp');
    lines.push(
      `| ${concurrency} | ${spread(rps('raw'), int)} | ${spread(rps('rawHttp'), int)} | ${spread(rps('lib'), int)} | **${fix(ratio, 2)}** | ${fix(sameFetch, 2)} | ${spread(rps('cli'), int)} | ${fix(cliRatio, 2)} | ${int(cliNoStart)} | ${fix(cpuPerReq('raw'), 3)} / ${fix(cpuPerReq('rawHttp'), 3)} / ${fix(cpuPerReq('lib'), 3)} / ${fix(cpuPerReq('cli'), 3)} | ${fix(own, 3)} |`,
    );
    goals.push({ name: `request overhead, c=${concurrency}: autotune test (library) / bare client`, target: '≥ 0.80', value: fix(ratio, 2), met: ratio >= 0.8 });
    goals.push({ name: `request overhead, c=${concurrency}: autotune test (library) / bare client on autotune's fetch (autotune's own work, reported)`, target: 'report', value: fix(sameFetch, 2), met: null });
  }
  // Where the library's CPU goes: one more run of the library path under the V8 profiler.
  const c = Math.max(...p.concurrency);
  ctx.log(`overhead: the library path under the V8 profiler, c=${c}`);
  await server.reset();
  const prof = await profiled(ctx.freshDir('profile'), (nodeArgs) =>
    runWorker({ kind: 'test', baseURL: server.baseURL, data, concurrency: c, model: MODEL, prompt: PROMPT, cacheRoot: ctx.freshDir('cache') }, { nodeArgs }));
  const profile = `${describeProfile(prof, `one library run at concurrency ${c}`)} The response cache is the better-sqlite3 share plus \`store/response-cache.ts\` (the native SQLite calls are billed to the JS frame that makes them): a read per row, and a durable append (one transaction) per new response.`;

  const markdown = [
    `${int(p.n)} distinct rows, one request each (gpt-3.5-turbo, n=1, prompt \`${PROMPT}\`, a one-number answer, so per-request overhead dominates), fixture server with zero latency in its own process, a fresh cache for every autotune run (every row is a new request: the server saw exactly ${int(p.n)} requests each time, checked). Each client runs in a fresh process; ${p.reps} repetition(s) in rotating order; cells show the median (min–max), the ratios compare the fastest run of each (other load on the machine only slows runs down, so the fastest is the best estimate of a client's own cost).`,
    '',
    '- **bare client**: the `openai` package in a minimal loop — read the JSONL, fill the prompt, `concurrency` workers each awaiting one `chat.completions.create` at a time — on its default transport (Node\'s built-in fetch). **The goal\'s baseline.**',
    '- **bare client, autotune\'s fetch**: the same loop with the client\'s `fetch` option set to the one autotune\'s transport uses (`src/completion/http-fetch.ts`: keep-alive `node:http` agents). Against this, the library\'s ratio and the CPU difference show what autotune itself does per request, apart from what its transport saves.',
    '- **library**: `runTest()` in-process (reads and validates the file, templating, cache read and write, retries/budget plumbing, the `answer_vote` eval, aggregation and bootstrap CIs). **The ratio (goal ≥ 0.8) is for this path.**',
    `- **CLI**: \`node bin/autotune.js test … --json\` spawned; its wall time includes process start-up (${fix(startup)} ms for \`autotune --help\`, median of 3) and the usage log (\`usage.sqlite\`). "CLI excl. start-up" subtracts that.`,
    '',
    '| concurrency | bare client req/s | bare client, autotune\'s fetch req/s | autotune library req/s | library / bare | library / bare on the same fetch | autotune CLI req/s | CLI / bare | CLI excl. start-up req/s | CPU ms per request: bare / bare on autotune\'s fetch / library / CLI | autotune\'s own CPU ms per request (library − bare on the same fetch) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...lines,
    '',
    'At zero latency the client is CPU-bound (one core each for client and server), so the ratio is essentially the ratio of CPU per request (last column).',
    '',
    profile,
  ].join('\n');
  return { markdown, goals };
}
