import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';

/** What one sandboxed run reported: its status lines (fd 3) and its output. */
export interface SandboxedRun {
  /** `{exit}` or `{signal}` of the program, `{error}` when the sandbox could not be set up; undefined when nothing was reported. */
  status: { exit?: number; signal?: number; error?: string } | undefined;
  /** The program ran past its timeout (and was killed). */
  timedOut: boolean;
  /** The sandbox did not start the program within {@link SETUP_TIMEOUT_MS} (and was killed). */
  setupTimedOut: boolean;
  /** How the spawned process itself ended (unshare, or the unsafe-prelude supervisor). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** How to run and stop one sandboxed program. */
export interface SandboxedSpawn {
  command: readonly string[];
  cwd: string;
  env: Record<string, string>;
  /** Written to the sandbox's stdin; the Python script reads it before anything else. */
  stdin: string;
  timeoutMs: number;
  maxOutputBytes: number;
  /**
   * `namespace`: the spawned process is `unshare`, whose child is the namespace's init; killing
   * that init kills every process of the sandbox. `supervisor`: the spawned process is the
   * supervisor; SIGTERM makes it kill the program's whole tree, SIGKILL of the group follows.
   */
  stop: 'namespace' | 'supervisor';
}

/** How long the sandbox may take to start the program (a loaded machine can be slow). */
export const SETUP_TIMEOUT_MS = 60_000;
/** How long the pipes may stay open after the spawned process has exited, before they are cut. */
const PIPE_GRACE_MS = 1000;
/** How long the supervisor of an unsafe-prelude run gets to kill the program's tree on SIGTERM. */
const SUPERVISOR_GRACE_MS = 2000;
/** Upper bound on waiting for a killed namespace init to be gone (the kernel does it at once). */
const INIT_GONE_MS = 5000;

/**
 * Spawn a sandboxed program and collect its status and output. Resolves when the spawned
 * process has exited and the sandbox is gone; the pipes are read until they close, but for
 * at most {@link PIPE_GRACE_MS} after the exit, then cut: a process that escaped and kept them
 * open cannot hold the eval. The sandbox is killed (see {@link SandboxedSpawn.stop}) when the
 * program runs past `timeoutMs` from its start, or the sandbox does not start it within
 * {@link SETUP_TIMEOUT_MS}.
 * Rejects only when the command cannot be spawned.
 */
export function runSandboxed(opts: SandboxedSpawn): Promise<SandboxedRun> {
  const [file, ...args] = opts.command;
  return new Promise((resolve, reject) => {
    const child = spawn(file ?? '', args, {
      cwd: opts.cwd,
      env: opts.env,
      detached: true, // own session and process group
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    const stdout = boundedSink(opts.maxOutputBytes);
    const stderr = boundedSink(opts.maxOutputBytes);
    const status = boundedSink(4096);
    const streams = [child.stdout, child.stderr, child.stdio[3]];
    child.stdout?.on('data', stdout.push);
    child.stderr?.on('data', stderr.push);
    for (const s of streams) s?.on('error', () => undefined);
    child.stdin?.on('error', () => undefined); // EPIPE when the sandbox ends before reading it all
    child.stdin?.end(opts.stdin);

    let timedOut = false;
    let setupTimedOut = false;
    let inits: number[] = [];
    const killGroup = (): void => signalPid(child.pid === undefined ? undefined : -child.pid, 'SIGKILL');
    const kill = (): void => {
      if (child.pid === undefined) return;
      if (opts.stop === 'namespace') {
        inits = childrenOf(child.pid);
        for (const pid of inits) signalPid(pid, 'SIGKILL');
        killGroup();
      } else {
        signalPid(child.pid, 'SIGTERM');
        setTimeout(killGroup, SUPERVISOR_GRACE_MS).unref();
      }
    };
    // Timers are IO at the edge: this module spawns processes, the pure core never waits.
    // The program's timeout counts from when the sandbox says it starts the program, so a slow
    // start of the sandbox on a loaded machine is not charged to the program.
    let timer = setTimeout(() => {
      setupTimedOut = true;
      kill();
    }, SETUP_TIMEOUT_MS);
    let started = false;
    child.stdio[3]?.on('data', (chunk: Buffer) => {
      status.push(chunk);
      if (started || !/^\{"started"/m.test(status.text())) return;
      started = true;
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, opts.timeoutMs);
    });

    let settled = false;
    let closed = false;
    let ended: { code: number | null; signal: NodeJS.Signals | null; gone: boolean } | undefined;
    const finish = (): void => {
      if (settled || ended === undefined) return;
      settled = true;
      for (const s of streams) s?.destroy();
      resolve({ status: parseStatus(status.text()), timedOut, setupTimedOut, code: ended.code, signal: ended.signal, stdout: stdout.text(), stderr: stderr.text() });
    };
    child.once('error', (err) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      reject(err);
    });
    child.once('close', () => {
      closed = true;
      if (ended?.gone === true) finish();
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      killGroup(); // strays left in the group (unsafe-prelude)
      ended = { code, signal, gone: false };
      void waitGone(inits, INIT_GONE_MS).then(() => {
        if (ended) ended.gone = true;
        if (closed) finish();
        else setTimeout(finish, PIPE_GRACE_MS);
      });
    });
  });
}

/** The name of a signal number (`9` → `SIGKILL`), or null. */
export function signalName(signal: number | undefined): NodeJS.Signals | null {
  if (signal === undefined) return null;
  const entry = Object.entries(constants.signals).find(([, n]) => n === signal);
  return entry ? (entry[0] as NodeJS.Signals) : null;
}

// --- internal ---

function parseStatus(text: string): SandboxedRun['status'] {
  const found: NonNullable<SandboxedRun['status']> = {};
  let any = false;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return { error: `unreadable status ${JSON.stringify(line.slice(0, 200))}` };
    }
    if (typeof parsed['exit'] === 'number') found.exit = parsed['exit'];
    if (typeof parsed['signal'] === 'number') found.signal = parsed['signal'];
    if (typeof parsed['error'] === 'string') found.error = parsed['error'];
    any ||= parsed['started'] === undefined;
  }
  return any ? found : undefined;
}

function signalPid(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Direct children of a process (from /proc; empty where there is no /proc). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // kernels without CONFIG_PROC_CHILDREN: scan every process's parent
  }
  const found: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) found.push(Number(entry));
    } catch {
      // ended meanwhile
    }
  }
  return found;
}

/** Gone, or a zombie: a dead namespace init has already taken every process of its namespace with it. */
function isGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

async function waitGone(pids: readonly number[], capMs: number): Promise<void> {
  const deadline = Date.now() + capMs;
  while (pids.some((pid) => !isGone(pid)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function boundedSink(maxBytes: number): { push: (chunk: Buffer) => void; text: () => string } {
  const chunks: Buffer[] = [];
  let kept = 0;
  return {
    push: (chunk) => {
      if (kept >= maxBytes) return; // keep draining the pipe, drop the bytes
      const part = chunk.subarray(0, maxBytes - kept);
      chunks.push(part);
      kept += part.length;
    },
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
}
