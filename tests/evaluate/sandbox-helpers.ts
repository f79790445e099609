import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The script that runs one program through the built runner in a child Node process (`npm run build` first). */
const RUN_SANDBOXED = fileURLToPath(new URL('./fixtures/run-sandboxed.mjs', import.meta.url));

/** A fresh token, so a test can find the processes its program started (it is in their command line). */
export function marker(): string {
  return `autotune-escape-${randomBytes(6).toString('hex')}`;
}

/** Pids of running (not zombie) processes whose command line contains `mark`. */
export function processesWith(mark: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmdline.includes(mark)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z') found.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** Cleanup for a failing run: kill whatever carries the mark (never anything else). */
export function killMarked(mark: string): void {
  for (const pid of processesWith(mark)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** What the child Node process reports: the run's result, or how the child itself ended. */
export interface ChildRun {
  /** The child's exit code (0 when it printed a result), or null when it was killed. */
  code: number | null;
  signal: NodeJS.Signals | null;
  result?: { exitCode: number | null; timedOut: boolean; stdout: string; stderr: string };
  stderr: string;
}

/**
 * Run `program` with the built runner inside a child Node process whose environment holds
 * `env` (e.g. a fake API key): the child stands in for autotune, so a program that signals or
 * reads its ancestors hits the child, never the test runner.
 */
export function runInChildNode(program: string, options: Record<string, unknown>, timeoutMs: number, env: Record<string, string> = {}): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUN_SANDBOXED, JSON.stringify({ options, timeoutMs })], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += String(d)));
    child.stderr.on('data', (d: Buffer) => (err += String(d)));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const line = out.trim().split('\n').pop() ?? '';
      resolve({ code, signal, stderr: err, ...(code === 0 && line !== '' ? { result: JSON.parse(line) as ChildRun['result'] } : {}) });
    });
    child.stdin.end(program);
  });
}
