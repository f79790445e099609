import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLimiter } from './limiter.js';
import { NAMESPACE_INIT, SANDBOX_SCRIPT } from './sandbox-script.js';
import { runSandboxed, SETUP_TIMEOUT_MS, signalName, type SandboxedRun } from './sandbox-process.js';

/** Outcome of one program run. */
export interface PythonRunResult {
  /** The program's exit code; null when a signal ended it (or the timeout did). */
  exitCode: number | null;
  /** The signal that ended the program (`SIGKILL` at the CPU limit), else null. */
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** At most `maxOutputBytes` of each stream; the rest is discarded. */
  stdout: string;
  stderr: string;
}

/**
 * How programs are isolated. `namespace` (the default) holds against hostile code; see
 * `docs/reliability.md` for what each level blocks. `unsafe-prelude` is only ever used when
 * asked for by name.
 */
export type SandboxLevel = 'namespace' | 'unsafe-prelude';
export const SANDBOX_LEVELS: readonly SandboxLevel[] = ['namespace', 'unsafe-prelude'];

/** Settings of a {@link PythonRunner}. */
export interface PythonRunnerOptions {
  /** Interpreter command (default `python3`); resolved once to its absolute `sys.executable`. */
  python?: string;
  /** Programs running at once (default 2). */
  parallel?: number;
  /** Per-stream output kept (default 64 KiB). */
  maxOutputBytes?: number;
  /** Address-space limit in MiB (RLIMIT_AS; default 1024; 0 = none). */
  memoryMb?: number;
  /** Isolation level (default `namespace`; refused with {@link SandboxUnavailableError} where it cannot be had). */
  sandbox?: SandboxLevel;
  /** util-linux `unshare` command (default `unshare`). */
  unshare?: string;
  /** Processes (and threads) in one sandbox (RLIMIT_NPROC, `namespace` only; default 64). */
  maxProcesses?: number;
  /** Largest file a program may write, MiB (RLIMIT_FSIZE; default 16). */
  maxFileMb?: number;
  /** CPU seconds per process (RLIMIT_CPU; default: the run's timeout rounded up, plus 1). */
  cpuSeconds?: number;
  /** Open files per process (RLIMIT_NOFILE; default 256). */
  maxOpenFiles?: number;
  /** Size of the sandbox's own file system (tmpfs holding /tmp), MiB (`namespace` only; default 64). */
  diskMb?: number;
}

/** Runs untrusted Python programs, each in a fresh sandbox, bounded in time, output, resources and parallelism. */
export interface PythonRunner {
  readonly executable: string;
  readonly sandbox: SandboxLevel;
  /** One line saying the level and its limits, for the start of a run and its log. */
  readonly description: string;
  run(program: string, timeoutMs: number): Promise<PythonRunResult>;
}

/** No safe isolation can be had here; `howToEnable` says what would give one. */
export class SandboxUnavailableError extends Error {
  constructor(message: string, readonly howToEnable: string) {
    super(message);
    this.name = 'SandboxUnavailableError';
  }
}

/**
 * Resolve the interpreter and check the sandbox, then return a runner. Each program runs in a
 * fresh sandbox (set up by the Python script in `sandbox-script.ts`, which says what each level
 * does), gets the program on stdin, a scrubbed environment (no variable of autotune's), and its
 * rlimits. At the timeout the whole sandbox is killed — in `namespace`, by killing the PID
 * namespace's init, which takes every process of the program with it — and the run returns
 * without waiting for pipes an escaped process might hold.
 *
 * With `namespace`, one trivial program is run through the full sandbox first; when that
 * fails (no `unshare`, user namespaces not allowed, seccomp) this rejects with a
 * {@link SandboxUnavailableError}: never a silent fallback to a weaker level.
 * Also rejects when the interpreter cannot be started.
 *
 * @example
 * const runner = await createPythonRunner();
 * (await runner.run('print(1 + 1)', 3000)).stdout; // '2\n'
 */
export async function createPythonRunner(options: PythonRunnerOptions = {}): Promise<PythonRunner> {
  const level = options.sandbox ?? 'namespace';
  const maxOutputBytes = options.maxOutputBytes ?? 64 * 1024;
  const limit = createLimiter(options.parallel ?? 2);
  const executable = await resolveExecutable(options.python ?? 'python3');
  const asRoot = isHostRoot();
  const limits = {
    memory_mb: options.memoryMb ?? 1024,
    processes: options.maxProcesses ?? 64,
    file_bytes: Math.round((options.maxFileMb ?? 16) * 1024 * 1024),
    open_files: options.maxOpenFiles ?? 256,
    disk_kb: Math.round((options.diskMb ?? 64) * 1024),
  };
  const unshare = options.unshare ?? 'unshare';
  const command = level === 'namespace'
    ? [unshare, ...(asRoot ? [] : ['--map-root-user']), '--pid', '--fork', '--kill-child', '--mount', '--net', '--ipc', '--uts', '/bin/sh', '-c', NAMESPACE_INIT, 'sh', executable, '-S', '-c', SANDBOX_SCRIPT]
    : [executable, '-S', '-c', SANDBOX_SCRIPT];
  const once = async (program: string, timeoutMs: number): Promise<SandboxedRun> => {
    const config = {
      ...limits,
      mode: level === 'namespace' ? 'namespace' : 'unsafe',
      // as root, the program runs as a uid of its own: no privileges, and a process count of its own
      uid: level === 'namespace' && asRoot ? 2_000_000_000 + randomInt(1 << 24) : 0,
      cpu_seconds: options.cpuSeconds ?? Math.ceil(timeoutMs / 1000) + 1,
    };
    const dir = level === 'namespace' ? undefined : await mkdtemp(join(tmpdir(), 'autotune-code-'));
    try {
      return await runSandboxed({
        command: [...command, JSON.stringify(config)],
        cwd: dir ?? '/',
        env: scrubbedEnv(dir ?? '/tmp'),
        stdin: program,
        timeoutMs,
        maxOutputBytes,
        stop: level === 'namespace' ? 'namespace' : 'supervisor',
      });
    } finally {
      if (dir !== undefined) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  };
  if (level === 'namespace') await probe(once, unshare, asRoot);
  return {
    executable,
    sandbox: level,
    description: describe(level, limits, options, asRoot),
    run: (program, timeoutMs) => limit(async () => resultOf(await once(program, timeoutMs))),
  };
}

// --- internal ---

/**
 * Root of the host (uid 0 in the initial user namespace): the kernel exempts it from
 * RLIMIT_NPROC, so its programs get a uid of their own instead of a user namespace. Root
 * inside a container's user namespace is an ordinary user to the kernel, with uids of its own
 * only where mapped: it takes the user-namespace way.
 */
function isHostRoot(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    return readFileSync('/proc/self/uid_map', 'utf8').trim().split(/\s+/).join(' ') === '0 0 4294967295';
  } catch {
    return false;
  }
}

function resultOf(raw: SandboxedRun): PythonRunResult {
  const output = { stdout: raw.stdout, stderr: raw.stderr };
  if (raw.status?.error !== undefined) throw new Error(`the code sandbox could not be set up: ${raw.status.error}`);
  if (raw.setupTimedOut) throw new Error(`the code sandbox did not start the program within ${SETUP_TIMEOUT_MS / 1000} s`);
  if (raw.timedOut) return { exitCode: null, signal: 'SIGKILL', timedOut: true, ...output };
  if (raw.status === undefined) {
    // the supervisor always reports unless it was killed or could not start: not the program's verdict
    throw new Error(`the code sandbox ended without the program's status (${raw.signal ?? `exit code ${raw.code}`}): ${raw.stderr.trim().slice(-300) || 'no output'}`);
  }
  return { exitCode: raw.status.exit ?? null, signal: signalName(raw.status.signal), timedOut: false, ...output };
}

/** Run one trivial program through the whole sandbox; say why when it does not work. */
async function probe(once: (program: string, timeoutMs: number) => Promise<SandboxedRun>, unshare: string, asRoot: boolean): Promise<void> {
  let why: string;
  try {
    const raw = await once('import os\nos.getpid()\n', 30_000);
    if (raw.status?.exit === 0) return;
    why = raw.status?.error ?? (raw.timedOut || raw.setupTimedOut ? 'the check timed out' : raw.stderr.trim().split('\n').pop() || `exit code ${raw.code ?? raw.signal}`);
  } catch (err) {
    why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? `'${unshare}' was not found (it is part of util-linux)` : (err as Error).message;
  }
  throw new SandboxUnavailableError(`no safe sandbox for Python programs is available here: ${why}`, howToEnable(asRoot));
}

function howToEnable(asRoot: boolean): string {
  const optOut = 'or accept a weaker isolation explicitly with `sandbox: unsafe-prelude` in the eval options (eval: {builtin: code, sandbox: unsafe-prelude})';
  if (asRoot) {
    return 'running as root, the sandbox needs to create namespaces with util-linux `unshare` (CAP_SYS_ADMIN; in Docker: '
      + '`--cap-add SYS_ADMIN --security-opt seccomp=unconfined`), or run autotune as a normal user with unprivileged user namespaces; ' + optOut;
  }
  return 'allow unprivileged user namespaces and install util-linux `unshare`: `sysctl -w kernel.unprivileged_userns_clone=1` (Debian), '
    + '`sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` (Ubuntu 23.10+), `user.max_user_namespaces` above 0; in Docker '
    + '`--security-opt seccomp=unconfined`; ' + optOut;
}

function describe(level: SandboxLevel, limits: { memory_mb: number; processes: number; file_bytes: number; open_files: number; disk_kb: number }, options: PythonRunnerOptions, asRoot: boolean): string {
  const mib = (bytes: number): string => `${+(bytes / 1024 / 1024).toFixed(2)} MiB`;
  const cpu = options.cpuSeconds !== undefined ? `${options.cpuSeconds} s` : 'timeout + 1 s';
  const common = `${mib(limits.file_bytes)} per file, ${limits.open_files} open files, ${limits.memory_mb > 0 ? `${limits.memory_mb} MiB memory` : 'no memory limit'}, ${cpu} CPU`;
  if (level === 'namespace') {
    return `namespace (own PID, mount, network, IPC and UTS namespaces${asRoot ? ', an unprivileged uid' : ', a user namespace without capabilities'}; `
      + `read-only system directories, a private /tmp of ${mib(limits.disk_kb * 1024)}; at most ${limits.processes} processes, ${common})`;
  }
  return `unsafe-prelude (no namespaces: programs can read this user's files and processes, reach the network through a subprocess `
    + `and signal autotune; ${common})`;
}

async function resolveExecutable(python: string): Promise<string> {
  const result = await new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
    const child = spawn(python, ['-c', 'import sys; print(sys.executable)'], { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += String(d)));
    child.stderr.on('data', (d: Buffer) => (err += String(d)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
  const exe = result.out.trim();
  if (result.code !== 0 || exe === '') {
    throw new Error(`'${python}' did not report its executable (exit ${result.code}): ${result.err.trim().slice(0, 300)}`);
  }
  return exe;
}

function scrubbedEnv(home: string): Record<string, string> {
  return {
    PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
    HOME: home,
    TMPDIR: home,
    LANG: 'C.UTF-8',
    PYTHONIOENCODING: 'utf-8',
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONHASHSEED: '0',
  };
}
