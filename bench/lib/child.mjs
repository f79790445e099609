// @ts-check
/** Run measured work in child processes: worker jobs, and the real CLI with a resource probe. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, PROBE, ROOT, WORKER } from './paths.mjs';

/**
 * Spawn `node [nodeArgs] file args…`; resolves with stdout, stderr, exit code and wall time (from
 * spawn to exit, so process start-up is included).
 * @param {string[]} argv @param {{ env?: NodeJS.ProcessEnv, cwd?: string }} [opts]
 */
export function spawnNode(argv, opts = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, argv, { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: out, stderr: err, wallMs: performance.now() - t0 }));
  });
}

/**
 * One worker job in a fresh process; returns its JSON result.
 * @param {Record<string, unknown>} job @param {{ nodeArgs?: string[] }} [opts]
 * @returns {Promise<any>}
 */
export async function runWorker(job, opts = {}) {
  const r = /** @type {any} */ (await spawnNode([...(opts.nodeArgs ?? []), WORKER, JSON.stringify(job)]));
  if (r.code !== 0) throw new Error(`bench worker ${job.kind} exited with ${r.code}:\n${r.stderr.slice(-2000)}`);
  const last = r.stdout.trim().split('\n').at(-1);
  return JSON.parse(last);
}

/**
 * The real CLI, spawned as a user runs it (`node bin/autotune.js …`), with the probe preloaded to
 * report the process's peak RSS and CPU at exit. Wall time includes process start-up.
 * @param {string[]} args @param {{ baseURL: string, cwd?: string, nodeArgs?: string[] }} opts
 * @returns {Promise<{ wallMs: number, maxRSSKB: number, cpuMs: number, rss: Array<[number, number]>, retainedHeap?: number, json: any, code: number }>}
 */
export async function runCli(args, opts) {
  const dir = mkdtempSync(join(tmpdir(), 'autotune-bench-probe-'));
  const probeFile = join(dir, 'probe.json');
  try {
    const env = { ...process.env, OPENAI_BASE_URL: opts.baseURL, OPENAI_API_KEY: 'sk-bench-0000', BENCH_PROBE_FILE: probeFile, NO_COLOR: '1' };
    const r = /** @type {any} */ (await spawnNode([...(opts.nodeArgs ?? []), '--import', PROBE, BIN, ...args], { env, cwd: opts.cwd ?? ROOT }));
    if (r.code !== 0) throw new Error(`autotune ${args.join(' ')} exited with ${r.code}:\n${r.stderr.slice(-2000)}`);
    const probe = JSON.parse(readFileSync(probeFile, 'utf8'));
    let json;
    try {
      json = JSON.parse(r.stdout);
    } catch {
      json = undefined;
    }
    return { wallMs: r.wallMs, maxRSSKB: probe.maxRSSKB, cpuMs: probe.cpuMs, rss: probe.rss, retainedHeap: probe.retainedHeap, json, code: r.code };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
