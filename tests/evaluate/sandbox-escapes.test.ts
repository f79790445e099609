import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPythonRunner } from '../../src/evaluate/builtins/python-runner.js';
import type { PythonRunner } from '../../src/evaluate/builtins/python-runner.js';
import { ROOT } from '../tune/tune-helpers.js';
import { killMarked, marker, processesWith, runInChildNode } from './sandbox-helpers.js';

// Each escape the review found, run as a real Python program in the default sandbox, which
// must make it fail. Where a test needs a process standing where autotune stands (to be
// killed, or to have its environment read), the runner runs in a child Node process
// (tests/evaluate/fixtures/run-sandboxed.mjs, from the build). No test measures time: the
// runner's own timeout drives every kill, and the jest timeouts are generous.

const FAKE_KEY = `sk-sandbox-test-${randomBytes(8).toString('hex')}`;

/** A program that starts a grandchild in its own session, which sleeps for ever with `mark` in its command line. */
function escapee(mark: string, then: string): string {
  return [
    'import os, sys',
    'if os.fork() == 0:',
    '    os.setsid()',
    '    if os.fork() == 0:',
    `        os.execv(sys.executable, [sys.executable, '-c', 'import time\\nwhile True: time.sleep(1)', '${mark}'])`,
    '    os._exit(0)',
    'os.wait()',
    then,
  ].join('\n');
}

/**
 * Kills every ancestor up to the Node process running the runner (never above it), outermost
 * first (a killed supervisor would take the program with it), and says which.
 */
const KILL_ANCESTORS = String.raw`
import os, signal
def parent_of(pid):
    for line in open('/proc/%d/status' % pid):
        if line.startswith('PPid:'):
            return int(line.split()[1])
    return 0
pid, chain = os.getppid(), []
while pid > 0 and len(chain) < 6:
    chain.append(pid)
    try:
        if b'run-sandboxed.mjs' in open('/proc/%d/cmdline' % pid, 'rb').read():
            break
        pid = parent_of(pid)
    except OSError:
        break
killed = []
for pid in reversed(chain):
    try:
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)
    except OSError as e:
        print('could not kill', pid, e)
print('killed', killed)
`;

/** Looks for the key in the environment of every process it can see, its ancestors first. */
const READ_ENVIRONS = String.raw`
import os
key = os.environ.get('LOOK_FOR') or '${FAKE_KEY}'
seen = []
for entry in os.listdir('/proc'):
    if not entry.isdigit():
        continue
    try:
        data = open('/proc/%s/environ' % entry, 'rb').read()
    except OSError:
        continue
    seen.append(entry)
    if key.encode() in data:
        print('LEAK from pid', entry)
print('readable environs:', seen)
`;

describe('the code sandbox holds (default isolation)', () => {
  let runner: PythonRunner;
  const marks: string[] = [];
  beforeAll(async () => {
    runner = await createPythonRunner({ maxOutputBytes: 100_000 });
  });
  afterEach(() => {
    for (const m of marks.splice(0)) killMarked(m); // a failing run must not leave its escapee behind
  });

  it('a setsid + double-fork child that sleeps for ever: the eval returns when the program exits, and nothing survives', async () => {
    const mark = marker();
    marks.push(mark);
    const r = await runner.run(escapee(mark, "print('parent done')"), 20_000);
    expect(r.timedOut).toBe(false);
    expect(r.stdout).toBe('parent done\n');
    expect(processesWith(mark)).toEqual([]);
  }, 60_000);

  it('the same child under a program that never ends: the eval returns at its timeout, and nothing survives', async () => {
    const mark = marker();
    marks.push(mark);
    const r = await runner.run(escapee(mark, "print('looping', flush=True)\nwhile True: pass"), 2000);
    expect(r.timedOut).toBe(true);
    expect(r.stdout).toBe('looping\n');
    expect(processesWith(mark)).toEqual([]);
  }, 60_000);

  it('cannot kill autotune: os.kill(os.getppid(), 9), and every ancestor it can see', async () => {
    const child = await runInChildNode(KILL_ANCESTORS, {}, 20_000);
    expect(child).toMatchObject({ code: 0, signal: null });
    expect(child.result?.stdout).toMatch(/^killed /m);
  }, 60_000);

  it('cannot read the API key from any process it can see (autotune holds it in its environment)', async () => {
    const child = await runInChildNode(READ_ENVIRONS, {}, 20_000, { OPENAI_API_KEY: FAKE_KEY });
    expect(child.code).toBe(0);
    expect(child.result?.exitCode).toBe(0);
    expect(child.result?.stdout).toContain('readable environs:');
    expect(child.result?.stdout).not.toContain('LEAK');
  }, 60_000);

  describe('network and host sockets', () => {
    let tcp: Server;
    let unixServer: Server;
    let abstractServer: Server;
    let port = 0;
    let connections = 0;
    const socketPath = join(tmpdir(), `autotune-sock-${randomBytes(4).toString('hex')}`);
    const abstractName = `\0autotune-abstract-${randomBytes(4).toString('hex')}`;
    const open = new Set<Socket>();
    const listen = async (target: number | string): Promise<Server> => {
      const server = createServer((s) => {
        connections++;
        open.add(s.once('close', () => open.delete(s)));
        s.end('hello\n');
      });
      await new Promise<void>((resolve) => (typeof target === 'number' ? server.listen(target, '127.0.0.1', resolve) : server.listen(target, resolve)));
      return server;
    };
    beforeAll(async () => {
      tcp = await listen(0);
      port = (tcp.address() as AddressInfo).port;
      unixServer = await listen(socketPath);
      abstractServer = await listen(abstractName);
    });
    afterAll(async () => {
      for (const s of open) s.destroy();
      for (const s of [tcp, unixServer, abstractServer]) await new Promise<void>((resolve) => s.close(() => resolve()));
      rmSync(socketPath, { force: true });
    });

    /** Connects to the TCP listener from a subprocess (python3 -c, and curl when there is one). */
    const tcpFromSubprocess = (): string => [
      'import subprocess, sys',
      `code = "import socket; print('CONNECTED', socket.create_connection(('127.0.0.1', ${port}), timeout=3).recv(10))"`,
      'r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=10)',
      'print(r.stdout.strip() or r.stderr.strip().splitlines()[-1])',
      'try:',
      `    print('curl:', subprocess.run(['curl', '-s', '-m', '3', 'http://127.0.0.1:${port}/'], capture_output=True, text=True, timeout=10).stdout)`,
      'except FileNotFoundError:',
      "    print('no curl')",
    ].join('\n');
    /** Connects to the host's AF_UNIX sockets from a subprocess. */
    const unixFromSubprocess = (): string => [
      'import subprocess, sys',
      // an abstract name starts with a NUL byte, which argv cannot carry: '@' stands for it; Node
      // binds abstract names padded with NULs to the whole sun_path (108 bytes)
      `for path in [${JSON.stringify(socketPath)}, ${JSON.stringify(abstractName.replace('\0', '@'))}]:`,
      '    code = "import socket, sys; a = sys.argv[1]; a = (\'\\\\0\' + a[1:]).ljust(108, \'\\\\0\') if a[0] == \'@\' else a; s = socket.socket(socket.AF_UNIX); s.settimeout(3); s.connect(a); print(\'CONNECTED\', s.recv(10))"',
      '    r = subprocess.run([sys.executable, "-c", code, path], capture_output=True, text=True, timeout=10)',
      '    print(repr(path), r.stdout.strip() or r.stderr.strip().splitlines()[-1])',
    ].join('\n');

    it('a subprocess (python3 -c, curl) cannot reach a loopback listener', async () => {
      const before = connections;
      const r = await runner.run(tcpFromSubprocess(), 20_000);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).not.toContain('CONNECTED');
      expect(r.stdout).not.toContain('hello');
      expect(connections).toBe(before);
    }, 60_000);

    it('a subprocess cannot connect to AF_UNIX sockets of the host (a path in /tmp, an abstract name)', async () => {
      const before = connections;
      const r = await runner.run(unixFromSubprocess(), 20_000);
      expect(r.exitCode).toBe(0);
      expect(r.stdout.trim().split('\n')).toHaveLength(2);
      expect(r.stdout).not.toContain('CONNECTED');
      expect(connections).toBe(before);
    }, 60_000);

    it('(the same programs under the unsafe-prelude opt-in do connect: the tests above can fail)', async () => {
      const unsafe = await createPythonRunner({ sandbox: 'unsafe-prelude' });
      const before = connections;
      const tcpRun = await unsafe.run(tcpFromSubprocess(), 20_000);
      expect(tcpRun.stdout).toContain("CONNECTED b'hello\\n'");
      const unixRun = await unsafe.run(unixFromSubprocess(), 20_000);
      expect(unixRun.stdout.match(/CONNECTED/g)).toHaveLength(2);
      expect(connections).toBeGreaterThanOrEqual(before + 3);
    }, 60_000);
  });

  it('a fork bomb is stopped by the process limit, and none of its processes survive', async () => {
    const mark = String(100_000 + Math.floor(Math.random() * 800_000)); // the sleeps' argument
    marks.push(`sleep\0${mark}`);
    const program = [
      'import errno, os',
      'n, err = 0, None',
      'for _ in range(300):',
      '    try:',
      '        pid = os.fork()',
      '    except OSError as e:',
      '        err = errno.errorcode.get(e.errno)',
      '        break',
      '    if pid == 0:',
      `        os.execv('/bin/sleep', ['sleep', '${mark}'])`,
      '    n += 1',
      'print(n, err)',
    ].join('\n');
    const r = await createPythonRunner({ maxProcesses: 20 }).then((limited) => limited.run(program, 20_000));
    const [forks, err] = r.stdout.trim().split(' ');
    expect(err).toBe('EAGAIN');
    expect(Number(forks)).toBeLessThanOrEqual(20);
    expect(processesWith(`sleep\0${mark}`)).toEqual([]);
  }, 90_000);

  it('file size is capped (EFBIG)', async () => {
    const limited = await createPythonRunner({ maxFileMb: 1 });
    const program = [
      'import errno',
      'f = open("big.bin", "wb")',
      'try:',
      '    for _ in range(4):',
      '        f.write(b"x" * (1 << 20)); f.flush()',
      "    print('wrote 4 MiB')",
      'except OSError as e:',
      '    print(errno.errorcode[e.errno])',
    ].join('\n');
    const r = await limited.run(program, 20_000);
    expect(r.stdout).toBe('EFBIG\n');
  }, 60_000);

  it('CPU time is capped: a spinning program is killed by its CPU limit long before the timeout', async () => {
    const limited = await createPythonRunner({ cpuSeconds: 1 });
    const r = await limited.run('while True:\n    pass\n', 120_000);
    expect(r.timedOut).toBe(false);
    expect(r.exitCode).toBeNull();
    expect(r.signal).toBe('SIGKILL');
  }, 180_000);

  it('open files are capped (EMFILE)', async () => {
    const limited = await createPythonRunner({ maxOpenFiles: 40 });
    const program = [
      'import errno, os',
      'fds = []',
      'try:',
      '    for _ in range(1000):',
      "        fds.append(os.open('/dev/null', os.O_RDONLY))",
      'except OSError as e:',
      '    print(len(fds), errno.errorcode[e.errno])',
    ].join('\n');
    const r = await limited.run(program, 20_000);
    const [opened, err] = r.stdout.trim().split(' ');
    expect(err).toBe('EMFILE');
    expect(Number(opened)).toBeLessThan(40);
  }, 60_000);

  it('sees none of the host\'s files (temp dir, the project) and cannot write outside its own /tmp', async () => {
    const secret = join(tmpdir(), `autotune-secret-${randomBytes(4).toString('hex')}.txt`);
    const probes = [join(ROOT, 'autotune-sandbox-probe.txt'), '/usr/autotune-sandbox-probe', '/autotune-sandbox-probe'];
    writeFileSync(secret, 'host secret');
    try {
      const program = [
        'import os, sys',
        `for path in [${JSON.stringify(secret)}, ${JSON.stringify(join(ROOT, 'package.json'))}, '/run', '/var/run', '/sys', '/var/lib']:`,
        "    print(path, 'VISIBLE' if os.path.exists(path) else 'absent')",
        '# /root or /home may hold the way to the interpreter (pyenv, a venv), and nothing else',
        "for home in ('/root', '/home'):",
        '    if os.path.isdir(home):',
        '        others = [e for e in os.listdir(home) if not sys.prefix.startswith(os.path.join(home, e) + os.sep)]',
        "        print(home, 'VISIBLE %s' % others if others else 'only the way to the interpreter')",
        `for path in ${JSON.stringify(probes)}:`,
        '    try:',
        "        open(path, 'w').write('x')",
        "        print(path, 'WRITTEN')",
        '    except OSError as e:',
        "        print(path, 'refused', e.errno)",
        "open('scratch.txt', 'w').write('ok')",
        "print(os.getcwd(), open('scratch.txt').read())",
      ].join('\n');
      const r = await runner.run(program, 20_000);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).not.toContain('VISIBLE');
      expect(r.stdout).not.toContain('WRITTEN');
      expect(r.stdout).toContain('/tmp ok');
    } finally {
      for (const path of [secret, ...probes]) rmSync(path, { force: true });
    }
  }, 60_000);

  it('cannot forge its result: the status pipe is not open in the program, nor reachable through /proc', async () => {
    const program = String.raw`
import os, sys
for how, attempt in (('fd 3', lambda: os.write(3, b'{"exit": 0}\n')),
                     ('/proc/1/fd/3', lambda: open('/proc/1/fd/3', 'w').write('{"exit": 0}\n'))):
    try:
        attempt()
        print(how, 'WRITTEN')
    except OSError as e:
        print(how, 'refused', e.errno)
sys.exit(1)
`;
    const r = await runner.run(program, 20_000);
    expect(r.stdout).not.toContain('WRITTEN');
    expect(r.exitCode).toBe(1);
  }, 60_000);

  it('cannot undo the sandbox: no umount, no chroot, no nested user namespace, no set-user-ID root', async () => {
    const program = String.raw`
import ctypes, os, subprocess
libc = ctypes.CDLL(None, use_errno=True)
if os.getppid() != 1:
    raise SystemExit('not in a PID namespace: not trying to unmount the host')
for target in (b'/tmp', b'/proc', b'/usr'):
    ok = libc.umount2(target, 2) == 0
    print('umount', target.decode(), 'DONE' if ok else 'refused')
os.mkdir('jail')
try:
    os.chroot('jail')
    print('chroot DONE')
except OSError as e:
    print('chroot refused', e.errno)
print('unshare', 'DONE' if libc.unshare(0x10000000) == 0 else 'refused')
r = subprocess.run(['unshare', '-r', 'id', '-u'], capture_output=True, text=True)
print('unshare -r', 'DONE' if r.returncode == 0 else 'refused')
r = subprocess.run(['su', '-c', 'id -u'], capture_output=True, text=True, stdin=subprocess.DEVNULL)
print('su', 'DONE' if r.returncode == 0 and r.stdout.strip() == '0' and os.getuid() != 0 else 'refused')
`;
    const r = await runner.run(program, 20_000);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(7);
    expect(r.stdout).not.toContain('DONE');
  }, 60_000);
});

describe('the unsafe-prelude opt-in', () => {
  let unsafe: PythonRunner;
  const marks: string[] = [];
  beforeAll(async () => {
    unsafe = await createPythonRunner({ sandbox: 'unsafe-prelude' });
  });
  afterEach(() => {
    for (const m of marks.splice(0)) killMarked(m);
  });

  it('still returns and leaves no setsid + double-fork escapee behind (its supervisor is their subreaper)', async () => {
    const done = marker();
    const looping = marker();
    marks.push(done, looping);
    const r1 = await unsafe.run(escapee(done, "print('parent done')"), 20_000);
    expect(r1).toMatchObject({ timedOut: false, stdout: 'parent done\n' });
    expect(processesWith(done)).toEqual([]);
    const r2 = await unsafe.run(escapee(looping, 'while True: pass'), 2000);
    expect(r2.timedOut).toBe(true);
    expect(processesWith(looping)).toEqual([]);
  }, 60_000);

  it('is unsafe by name: the same programs read the key from autotune\'s environment and kill autotune (so the tests above can fail)', async () => {
    const reader = await runInChildNode(READ_ENVIRONS, { sandbox: 'unsafe-prelude' }, 20_000, { OPENAI_API_KEY: FAKE_KEY });
    expect(reader.result?.stdout).toContain('LEAK');
    const killer = await runInChildNode(KILL_ANCESTORS, { sandbox: 'unsafe-prelude' }, 20_000);
    expect(killer).toMatchObject({ code: null, signal: 'SIGKILL' });
  }, 60_000);
});
