import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLimiter } from './limiter.js';

/** Outcome of one program run. `exitCode` is null when the process was killed by a signal. */
export interface PythonRunResult {
  exitCode: number | null;
  timedOut: boolean;
  /** At most `maxOutputBytes` of each stream; the rest is discarded. */
  stdout: string;
  stderr: string;
}

/** How network access is kept from programs (see {@link createPythonRunner}). */
export type NetworkIsolation = 'unshare+prelude' | 'prelude';

/** Settings of a {@link PythonRunner}. */
export interface PythonRunnerOptions {
  /** Interpreter command (default `python3`); resolved once to its absolute `sys.executable`. */
  python?: string;
  /** Programs running at once (default 2). */
  parallel?: number;
  /** Per-stream output kept (default 64 KiB). */
  maxOutputBytes?: number;
  /** Address-space limit in MiB set with `resource.setrlimit` (default 1024; 0 = none). */
  memoryMb?: number;
  /** `auto` (default): `unshare -rn` when it works, plus the prelude; `prelude`: the prelude only. */
  network?: 'auto' | 'prelude';
}

/** Runs untrusted Python programs one per fresh temp dir, bounded in time, output and parallelism. */
export interface PythonRunner {
  readonly executable: string;
  readonly isolation: NetworkIsolation;
  run(program: string, timeoutMs: number): Promise<PythonRunResult>;
}

/**
 * Resolve the interpreter and pick the network isolation, then return a runner. Each program
 * runs in a new temp working directory (removed afterwards), in its own process group (killed
 * with SIGKILL on timeout, and after exit to reap strays), with a scrubbed environment (no API
 * keys from the parent), stdin closed. Network: when `unshare -rn` works (Linux with user
 * namespaces) the program runs in an empty network namespace; in every case a Python prelude
 * replaces `socket`'s constructors and connect functions so INET sockets fail with OSError.
 * The prelude guards against accidental network use; it is not a security boundary.
 * Rejects when the interpreter cannot be started.
 *
 * @example
 * const runner = await createPythonRunner();
 * (await runner.run('print(1 + 1)', 3000)).stdout; // '2\n'
 */
export async function createPythonRunner(options: PythonRunnerOptions = {}): Promise<PythonRunner> {
  const maxOutputBytes = options.maxOutputBytes ?? 64 * 1024;
  const memoryMb = options.memoryMb ?? 1024;
  const limit = createLimiter(options.parallel ?? 2);
  const executable = await resolveExecutable(options.python ?? 'python3');
  const probe = options.network === 'prelude' ? null
    : await spawnCollect(['unshare', '-rn', executable, '-c', 'pass'], { cwd: tmpdir(), timeoutMs: 10_000, maxOutputBytes: 4096 })
      .catch(() => null);
  const isolation: NetworkIsolation = probe?.exitCode === 0 ? 'unshare+prelude' : 'prelude';
  const command = (isolation === 'unshare+prelude' ? ['unshare', '-rn'] : []).concat([executable, '-c', PRELUDE, String(memoryMb)]);
  return {
    executable,
    isolation,
    run: (program, timeoutMs) => limit(async () => {
      const dir = await mkdtemp(join(tmpdir(), 'autotune-code-'));
      try {
        await writeFile(join(dir, 'program.py'), program, 'utf8');
        return await spawnCollect(command, { cwd: dir, timeoutMs, maxOutputBytes });
      } finally {
        await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      }
    }),
  };
}

// --- internal ---

/**
 * Runs `program.py` from the working directory after disabling network sockets and capping
 * memory. argv[1] is the memory limit in MiB. The program sees `__name__ == '__main__'` and
 * tracebacks name `program.py`.
 */
const PRELUDE = String.raw`
import sys
def _autotune_prelude(memory_mb):
    import socket, _socket
    def blocked(*args, **kwargs):
        raise OSError(101, 'network access is disabled in the autotune code eval')
    c_socket = _socket.socket
    unix = getattr(socket, 'AF_UNIX', None)
    class GuardedSocket(c_socket):
        # socket.socket.__init__ calls _socket.socket.__init__, so this guards both layers
        def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
            if family != unix:
                blocked()
            c_socket.__init__(self, family, type, proto, fileno)
        connect = connect_ex = bind = sendto = blocked
    class NoNetworkSocket(socket.socket):
        connect = connect_ex = bind = sendto = blocked
    _socket.socket = _socket.SocketType = GuardedSocket
    socket.socket = socket.SocketType = NoNetworkSocket
    for mod in (socket, _socket):
        for name in ('create_connection', 'create_server', 'getaddrinfo', 'gethostbyname',
                     'gethostbyname_ex', 'gethostbyaddr', 'getnameinfo', 'fromfd'):
            if hasattr(mod, name):
                setattr(mod, name, blocked)
    if memory_mb > 0:
        try:
            import resource
            limit = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except Exception:
            pass
_autotune_prelude(int(sys.argv[1]))
del _autotune_prelude
sys.argv = ['program.py']
with open('program.py', encoding='utf-8') as _f:
    _code = compile(_f.read(), 'program.py', 'exec')
del _f
exec(_code, {'__name__': '__main__', '__builtins__': __builtins__})
`;

interface SpawnOptions {
  cwd: string;
  timeoutMs: number;
  maxOutputBytes: number;
  /** Inherit the parent's environment (only for trusted commands such as resolving the interpreter). */
  inheritEnv?: boolean;
}

async function resolveExecutable(python: string): Promise<string> {
  const result = await spawnCollect([python, '-c', 'import sys; print(sys.executable)'], {
    cwd: tmpdir(), timeoutMs: 30_000, maxOutputBytes: 4096, inheritEnv: true,
  });
  const exe = result.stdout.trim();
  if (result.exitCode !== 0 || exe === '') {
    throw new Error(`'${python}' did not report its executable (exit ${result.exitCode}): ${result.stderr.trim().slice(0, 300)}`);
  }
  return exe;
}

function spawnCollect(command: readonly string[], opts: SpawnOptions): Promise<PythonRunResult> {
  const [file, ...args] = command;
  return new Promise((resolve, reject) => {
    const child = spawn(file ?? '', args, {
      cwd: opts.cwd,
      detached: true, // own process group, so the whole group can be killed
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(opts.inheritEnv === true ? {} : { env: scrubbedEnv(opts.cwd) }),
    });
    const stdout = boundedSink(opts.maxOutputBytes);
    const stderr = boundedSink(opts.maxOutputBytes);
    child.stdout.on('data', stdout.push);
    child.stderr.on('data', stderr.push);
    let timedOut = false;
    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the group is already gone
      }
    };
    // Timers are IO at the edge: this module spawns processes, the pure core never waits.
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, opts.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      killGroup(); // reap anything the program left running in its group
      resolve({ exitCode: code, timedOut, stdout: stdout.text(), stderr: stderr.text() });
    });
  });
}

function scrubbedEnv(dir: string): Record<string, string> {
  return {
    PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
    HOME: dir,
    TMPDIR: dir,
    LANG: 'C.UTF-8',
    PYTHONIOENCODING: 'utf-8',
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONHASHSEED: '0',
  };
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
