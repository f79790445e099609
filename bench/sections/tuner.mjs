// @ts-check
/** Section 6: CPU the tuner itself spends per trial, outside waiting for the server. */
import { join } from 'node:path';
import { runWorker } from '../lib/child.mjs';
import { describeProfile, profiled } from '../lib/profile.mjs';
import { startServerProcess } from '../lib/server.mjs';
import { fix, int, usd } from '../lib/stats.mjs';

/** @param {import('../run.mjs').BenchContext} ctx */
export async function tuner(ctx) {
  const p = ctx.profile.tuner;
  const server = ctx.server0;
  const bodies = join(ctx.freshDir('bodies'), 'bodies.jsonl');
  const job = { kind: 'tune', baseURL: server.baseURL, budget: p.budget, seed: 0, searcher: 'default' };
  ctx.log(`tuner: tune at $${p.budget}, recording its requests`);
  await server.reset();
  const tune = await runWorker({ ...job, dir: ctx.freshDir('tune'), recordBodies: bodies });
  const served = await server.stats();
  ctx.log('tuner: replaying the same requests with the bare client');
  await server.reset();
  // on the fetch autotune's transport uses, so the difference is the tuner's own work
  const replay = await runWorker({ kind: 'replay', baseURL: server.baseURL, bodies, concurrency: 8, fetch: 'autotune' });
  const replayServed = await server.stats();
  ctx.log('tuner: the same tune under the V8 profiler');
  await server.reset();
  const prof = await profiled(ctx.freshDir('profile'), (nodeArgs) => runWorker({ ...job, dir: ctx.freshDir('tune') }, { nodeArgs }));

  // The same tune against a server that takes latencyMs per request: how long a user waits.
  ctx.log(`tuner: the same tune at ${p.latencyMs} ms per request`);
  const slow = await startServerProcess({ latencyMs: p.latencyMs });
  let waited;
  try {
    waited = await runWorker({ ...job, baseURL: slow.baseURL, dir: ctx.freshDir('tune') });
    const seen = await slow.stats();
    waited.spend = seen.cost;
    waited.requests = seen.requests;
  } finally {
    await slow.close();
  }
  const original = (261 * p.latencyMs) / 200; // peers.md: the original's $1 tune, ~1,270 requests one at a time, 261 s at 200 ms
  const speedup = (original * 1000) / waited.wallMs;

  const trials = tune.value.trials;
  const requests = tune.value.requests;
  const extraMs = tune.cpuMs - replay.cpuMs;
  const perTrial = extraMs / trials;
  const same = served.requests === replayServed.requests && Math.abs(served.completion_tokens - replayServed.completion_tokens) < 1;
  const markdown = [
    `One tune of \`tune.example.yaml\` (default searcher, search seed 0, optimization budget $${p.budget}, concurrency 8) against the zero-latency fixture server (own process), every request body it sent recorded; then the bare \`openai\` client replays exactly those ${int(requests)} request bodies at the same concurrency against a reset server (${same ? 'the server saw the same requests and completion tokens, checked' : `**the replay differed**: ${served.requests} vs ${replayServed.requests} requests`}). CPU = \`process.cpuUsage()\` of the worker process around the call (user + system, all threads). Overhead = CPU(tune) − CPU(replay): what the tuner adds on top of sending and parsing the same requests.`,
    '',
    '| | wall | CPU | requests | trials |',
    '|---|---|---|---|---|',
    `| autotune \`runTune\` | ${fix(tune.wallMs)} ms | ${fix(tune.cpuMs)} ms | ${int(requests)} | ${trials} |`,
    `| bare client, same requests | ${fix(replay.wallMs)} ms | ${fix(replay.cpuMs)} ms | ${int(replay.value.requests)} | |`,
    `| **tuner overhead** | | **${fix(extraMs)} ms** = **${fix(perTrial, 1)} ms per trial**, ${fix(extraMs / requests, 2)} ms per request | | |`,
    '',
    `Spend of the recorded run: ${usd(served.cost, 3)} (server-side). ${describeProfile(prof, 'the same tune')} The overhead includes the \`answer_vote\` eval (run on every n ≤ N of every row, since n is picked afterwards), the cache (SQLite) writes, the trial log and the searcher. The bare client replays on the same fetch as autotune's transport (\`src/completion/http-fetch.ts\`), so the difference is the tuner's own work.`,
    '',
    `**Wall time at ${p.latencyMs} ms per request.** The same tune (seed 0, $${p.budget}, concurrency 8) against a fixture server that answers each request after ${p.latencyMs} ms: **${fix(waited.wallMs / 1000, 1)} s** for ${int(waited.requests)} requests and ${waited.value.trials} trials, ${usd(waited.spend, 3)} spent (server-side). peers.md: the original's $1 tune (~1,270 requests, one at a time) took 261 s at 200 ms per request${p.latencyMs === 200 ? '' : ` (scaled to ${fix(original, 1)} s at ${p.latencyMs} ms)`}: ${fix(speedup, 1)}× faster.`,
  ].join('\n');
  return {
    markdown,
    goals: [
      { name: 'tuner CPU per trial, outside the requests (reported, no target)', target: 'report', value: `${fix(perTrial, 1)} ms/trial`, met: null },
      { name: `tune wall time at ${p.latencyMs} ms per request vs the original's (peers.md)`, target: '≥ 10× faster', value: `${fix(waited.wallMs / 1000, 1)} s, ${fix(speedup, 1)}×`, met: speedup >= 10 },
    ],
  };
}
