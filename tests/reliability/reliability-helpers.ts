import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { run } from '../../src/cli/main.js';
import { captureIO } from '../helpers/cli.js';
import { ROOT, TEST_DATA, TUNE_DATA } from '../tune/tune-helpers.js';
import { tuneYaml } from '../tune/tune-helpers.js';

export { ROOT, TEST_DATA, TUNE_DATA };

export const BIN = join(ROOT, 'bin/autotune.js');
export const DIRECT = '{problem} Answer with just the number.';
export const COT = "{problem} Let's think step by step.";

/** Run the CLI in-process; returns exit code, stdout and stderr. */
export async function cli(args: string[], env: Record<string, string>, cwd: string): Promise<{ code: number; out: string; err: string }> {
  const c = captureIO({ NO_COLOR: '1', ...env }, cwd);
  const code = await run(args, c.io);
  return { code, out: c.out(), err: c.err() };
}

/** A child process running the built `bin/autotune.js`. */
export interface CliChild {
  child: ChildProcessWithoutNullStreams;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>;
}

/** Spawn `node bin/autotune.js …` (needs `npm run build`); the env is exactly `env` plus PATH. */
export function spawnCli(args: string[], env: Record<string, string>, cwd: string, children?: CliChild[]): CliChild {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += String(d)));
  child.stderr.on('data', (d: Buffer) => (err += String(d)));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, out, err })),
  );
  const c = { child, done };
  children?.push(c);
  return c;
}

/** Kill every child still running (afterEach: never leave one behind when a test fails). */
export function killAll(children: CliChild[]): void {
  for (const c of children.splice(0)) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
}

/** `PRAGMA integrity_check` of a SQLite file, opened read-write the way autotune opens it (WAL). */
export function integrity(file: string): string {
  const db = new Database(file, { fileMustExist: true });
  try {
    return String(db.pragma('integrity_check', { simple: true }));
  } finally {
    db.close();
  }
}

/** One row of the usage log. */
export interface UsageRow {
  run_id: string;
  model: string;
  endpoint: string;
  config_id: number;
  n: number;
  cost: number;
  cached: number;
  outcome: 'ok' | 'retried' | 'failed';
  error: string | null;
  latency_ms: number;
  time: number;
  request_key: string;
}

/** Every row of `{root}/usage.sqlite`. */
export function usageRows(root: string): UsageRow[] {
  const file = join(root, 'usage.sqlite');
  if (!existsSync(file)) return [];
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT run_id, model, endpoint, config_id, n, cost, cached, outcome, error, latency_ms, time, request_key FROM usage ORDER BY id').all() as UsageRow[];
  } finally {
    db.close();
  }
}

/** Failed attempts in the usage log by kind. */
export function failuresByKind(rows: readonly UsageRow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) if (r.outcome === 'failed') out[r.error ?? '?'] = (out[r.error ?? '?'] ?? 0) + 1;
  return out;
}

/** Sum of the USD paid in usage rows. */
export function paidIn(rows: readonly UsageRow[]): number {
  return rows.reduce((a, r) => a + r.cost, 0);
}

/** Every file under a directory (recursive), as absolute paths. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

/** Files under `dir` whose bytes contain `secret` (SQLite files, WAL files and logs included). */
export function filesContaining(dir: string, secret: string): string[] {
  const needle = Buffer.from(secret);
  return filesUnder(dir).filter((f) => readFileSync(f).includes(needle));
}

/** A local port with nothing listening: connections to it are refused. */
export function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/**
 * A small tune config (the example space, gpt-3.5-turbo and gpt-4) with short timeouts, so a
 * faulted run retries fast; `extra` keys are added or replace the defaults ('' removes one).
 */
export function reliabilityTuneYaml(extra: Record<string, string> = {}): string {
  return tuneYaml({ optimization_budget: '1', num_samples: '6', request_timeout: '1', retry_timeout: '30', ...extra });
}

/** Print a measured figure for docs/reliability.md when RELIABILITY_REPORT is set. */
export function report(what: string, figures: Record<string, unknown>): void {
  if (process.env.RELIABILITY_REPORT) process.stdout.write(`[reliability] ${what}: ${JSON.stringify(figures)}\n`);
}

/** Sleep. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Wait until `cond()` holds (polling), or throw after `timeoutMs`. */
export async function waitFor(cond: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}
