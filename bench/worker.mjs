// @ts-check
/**
 * One measured job in a fresh process: `node bench/worker.mjs '<job JSON>'`. The last stdout
 * line is the JSON result. A fresh process per measurement keeps runs independent (no JIT or
 * heap state carried over) and lets each report its own peak RSS and CPU time.
 *
 * Jobs: raw (a minimal loop of the bare `openai` client; `fetch: 'autotune'` gives it autotune's fetch), replay (the same, over recorded request
 * bodies), test (autotune's library `runTest`), tune (the library `runTune` of `job.configFile`, default
 * tune.example.yaml; `job.eval` replaces its eval), tpe (Optuna's TPE over the same config's space,
 * see lib/tpe.mjs).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import OpenAI from 'openai';
import { createHttpFetch } from '../dist/src/completion/http-fetch.js';
import { BudgetLedger, runTest, runTune } from '../dist/src/index.js';
import { runTpe } from './lib/tpe.mjs';
import { ROOT } from './lib/paths.mjs';

const job = JSON.parse(process.argv[2] ?? '{}');
const env = { OPENAI_BASE_URL: job.baseURL, OPENAI_API_KEY: 'sk-bench-0000' };

/** Time and CPU of `fn`, plus this process's peak RSS so far. @template T @param {() => Promise<T>} fn */
async function measure(fn) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const value = await fn();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { value, wallMs, cpuMs: (c.user + c.system) / 1000, maxRSSKB: process.resourceUsage().maxRSS };
}

/**
 * The baseline: the bare client in the smallest loop that does the same work — read the rows, fill
 * the prompt, `concurrency` workers each awaiting one request at a time, read the text.
 * @param {Array<Record<string, unknown>>} bodies @param {number} concurrency
 */
async function rawLoop(bodies, concurrency) {
  // job.fetch 'autotune': the same loop on the fetch autotune's transport gives the client, to
  // separate what autotune does per request from what its transport saves
  const fetch = job.fetch === 'autotune' ? createHttpFetch().fetch : undefined;
  const client = new OpenAI({ baseURL: job.baseURL, apiKey: env.OPENAI_API_KEY, maxRetries: 0, ...(fetch ? { fetch } : {}) });
  let next = 0;
  let chars = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const body = /** @type {any} */ (bodies[next++]);
      const res = await client.chat.completions.create(body);
      for (const c of res.choices) chars += c.message.content?.length ?? 0;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { requests: bodies.length, chars };
}

/** One `runTest` of the job's rows through the library. */
function testOnce() {
  return measure(async () => {
    const r = await runTest({
      data: job.data,
      params: { model: job.model, prompt: job.prompt },
      eval: 'builtin:answer_vote',
      concurrency: job.concurrency,
      cachePathRoot: job.cacheRoot,
      useCache: job.useCache ?? true,
      env,
      cwd: ROOT,
    });
    return { instances: r.instances, failed: r.failed, cached: r.cached, cost: r.cost, metrics: r.metrics };
  });
}

const jobs = {
  raw: () =>
    measure(async () => {
      const rows = readFileSync(job.data, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
      const bodies = rows.map((r) => ({ model: job.model, messages: [{ role: 'user', content: job.prompt.split('{problem}').join(r.problem) }] }));
      return rawLoop(bodies, job.concurrency);
    }),
  replay: () =>
    measure(async () => {
      const bodies = readFileSync(job.bodies, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
      return rawLoop(bodies, job.concurrency);
    }),
  test: async () => {
    // `repeat` > 1 calls runTest again in the same process (a warm library: modules loaded, JIT
    // compiled); every call is reported in `calls`, the first one is the result.
    const calls = [];
    for (let i = 0; i < (job.repeat ?? 1); i++) calls.push(await testOnce());
    return { ...calls[0], calls };
  },
  tune: () => {
    // Record each request body the tune sends (for the replay baseline of the CPU section): one
    // array push per request, negligible next to the request itself.
    /** @type {string[]} */
    const sent = [];
    if (job.recordBodies) {
      // autotune's transport sends through node:http (src/completion/http-fetch.ts), which
      // calls http.request for each request and hands the whole body to end()
      const realRequest = http.request;
      http.request = /** @type {typeof http.request} */ ((/** @type {any[]} */ ...args) => {
        const req = realRequest.apply(http, /** @type {any} */ (args));
        const end = req.end;
        req.end = /** @type {any} */ (function (/** @type {any} */ body, /** @type {any[]} */ ...rest) {
          if (typeof body === 'string') sent.push(body);
          return end.call(this, body, ...rest);
        });
        return req;
      });
    }
    return measure(async () => {
      const r = await runTune({
        configFile: job.configFile ?? join(ROOT, 'tune.example.yaml'),
        overrides: {
          ...(job.eval ? { eval: job.eval } : {}),
          optimization_budget: job.budget,
          search_seed: job.seed,
          searcher: job.searcher,
          cache_path_root: job.dir,
          log_file: join(job.dir, 'tune-log.jsonl'),
          ...(job.concurrency ? { concurrency: job.concurrency } : {}),
        },
        env,
        cwd: job.dir,
      });
      if (job.recordBodies) writeFileSync(job.recordBodies, sent.map((b) => `${b}\n`).join(''));
      return {
        config: r.config,
        result: r.result,
        trials: r.trials.length,
        optimizationCost: r.optimizationCost,
        stopReason: r.stopReason,
        requests: sent.length,
      };
    });
  },
};

Object.assign(jobs, { tpe: () => measure(() => runTpe(job, { runTest, BudgetLedger })) });
const run = /** @type {Record<string, () => Promise<unknown>>} */ (jobs)[job.kind];
if (!run) throw new Error(`unknown job kind ${job.kind}`);
process.stdout.write(`${JSON.stringify(await run())}\n`);
