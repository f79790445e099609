import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { createPythonRunner, SandboxUnavailableError } from '../../src/evaluate/builtins/python-runner.js';
import type { PythonRunner } from '../../src/evaluate/builtins/python-runner.js';
import { killMarked, marker, processesWith } from './sandbox-helpers.js';

describe('createPythonRunner', () => {
  let runner: PythonRunner;
  let unsafe: PythonRunner;
  let server: Server;
  let port = 0;
  let connections = 0;

  beforeAll(async () => {
    runner = await createPythonRunner({ maxOutputBytes: 1000 });
    unsafe = await createPythonRunner({ sandbox: 'unsafe-prelude' });
    console.log(`python runner: ${runner.executable}, sandbox: ${runner.description}`);
    server = createServer((socket) => {
      connections++;
      socket.end('hello\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('uses the namespace sandbox by default, and says so', () => {
    expect(runner.sandbox).toBe('namespace');
    expect(runner.description).toMatch(/^namespace \(own PID, mount, network/);
    expect(unsafe.sandbox).toBe('unsafe-prelude');
    expect(unsafe.description).toMatch(/^unsafe-prelude \(no namespaces/);
  });

  it.each([
    ['namespace', () => runner],
    ['unsafe-prelude', () => unsafe],
  ])('runs a program and reports exit code and output (%s)', async (_name, get) => {
    const r = await get().run('print(6 * 7)\n', 5000);
    expect(r).toEqual({ exitCode: 0, signal: null, timedOut: false, stdout: '42\n', stderr: '' });
  });

  it('reports failures, syntax errors (naming program.py), sys.exit codes and signals', async () => {
    expect((await runner.run('assert 1 == 2\n', 5000)).exitCode).toBe(1);
    const syntax = await runner.run('def f(:\n', 5000);
    expect(syntax.exitCode).toBe(1);
    expect(syntax.stderr).toMatch(/program\.py.*\n[\s\S]*SyntaxError/);
    expect((await runner.run('import sys\nsys.exit(3)\n', 5000)).exitCode).toBe(3);
    expect((await runner.run('print(__name__)\n', 5000)).stdout).toBe('__main__\n');
    expect(await runner.run('import os, signal\nos.kill(os.getpid(), signal.SIGTERM)\n', 5000)).toMatchObject({ exitCode: null, signal: 'SIGTERM', timedOut: false });
  });

  it.each([
    ['namespace', () => runner],
    ['unsafe-prelude', () => unsafe],
  ])('kills an infinite loop at the timeout, together with the processes it started (%s)', async (_name, get) => {
    const mark = marker();
    try {
      const program = [
        'import subprocess, sys',
        `p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)', '${mark}'])`,
        "print('started', flush=True)",
        'while True: pass',
      ].join('\n');
      const r = await get().run(program, 1000);
      expect(r).toMatchObject({ timedOut: true, exitCode: null, stdout: 'started\n' });
      expect(processesWith(mark)).toEqual([]);
    } finally {
      killMarked(mark);
    }
  }, 30_000);

  it.each([
    ['namespace', () => runner],
    ['unsafe-prelude', () => unsafe],
  ])('blocks network access from Python (%s)', async (_name, get) => {
    const attempts = [
      `import socket\nsocket.create_connection(('127.0.0.1', ${port}), timeout=2).recv(10)\nprint('CONNECTED')`,
      `import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\ns.settimeout(2)\ns.connect(('127.0.0.1', ${port}))\nprint('CONNECTED')`,
      `import _socket\ns = _socket.socket()\ns.connect(('127.0.0.1', ${port}))\nprint('CONNECTED')`,
      `import urllib.request\nurllib.request.urlopen('http://127.0.0.1:${port}/', timeout=2)\nprint('CONNECTED')`,
    ];
    for (const program of attempts) {
      const r = await get().run(program, 5000);
      expect(r.exitCode).not.toBe(0);
      expect(r.stdout).not.toContain('CONNECTED');
    }
    expect(connections).toBe(0);
  });

  it('still allows local socketpairs (asyncio works)', async () => {
    const r = await runner.run('import asyncio\nasync def f():\n    return 5\nprint(asyncio.run(f()))\n', 5000);
    expect(r.stdout).toBe('5\n');
  });

  it('runs in a private /tmp (namespace) or a fresh temp dir removed afterwards (unsafe-prelude), with a scrubbed environment', async () => {
    process.env['AUTOTUNE_TEST_SECRET'] = 'sk-should-not-leak';
    try {
      const program = "import os\nopen('scratch.txt', 'w').write('x')\nprint(os.getcwd())\nprint(sorted(os.environ))\n";
      const [cwd = '', env = ''] = (await runner.run(program, 5000)).stdout.trim().split('\n');
      expect(cwd).toBe('/tmp');
      expect(env).not.toContain('AUTOTUNE_TEST_SECRET');
      const [unsafeCwd = '', unsafeEnv = ''] = (await unsafe.run(program, 5000)).stdout.trim().split('\n');
      expect(unsafeCwd).toMatch(/autotune-code-/);
      expect(existsSync(unsafeCwd)).toBe(false);
      expect(unsafeEnv).not.toContain('AUTOTUNE_TEST_SECRET');
    } finally {
      delete process.env['AUTOTUNE_TEST_SECRET'];
    }
  });

  it('keeps at most maxOutputBytes of output and still drains the rest', async () => {
    const r = await runner.run("import sys\nsys.stdout.write('x' * 2_000_000)\n", 10000);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.length).toBe(1000);
  });

  it('caps memory', async () => {
    const r = await runner.run('x = bytearray(4 * 1024 ** 3)\n', 10000);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('MemoryError');
  });

  it('runs at most `parallel` programs at once', async () => {
    const limited = await createPythonRunner({ parallel: 2 });
    const program = 'import time\nt = time.time()\ntime.sleep(0.3)\nprint(t, time.time())\n';
    const spans = (await Promise.all([1, 2, 3, 4].map(() => limited.run(program, 5000))))
      .map((r) => r.stdout.trim().split(' ').map(Number) as [number, number]);
    for (const [start] of spans) {
      const overlapping = spans.filter(([s, e]) => s <= start && start < e).length;
      expect(overlapping).toBeLessThanOrEqual(2);
    }
  });

  it('rejects when the interpreter cannot be started', async () => {
    await expect(createPythonRunner({ python: 'no-such-python-xyz' })).rejects.toThrow();
  });

  it('refuses, saying how to get a sandbox, where no namespace can be made (no fallback to a weaker level)', async () => {
    const refusal = createPythonRunner({ unshare: 'no-such-unshare-xyz' });
    await expect(refusal).rejects.toBeInstanceOf(SandboxUnavailableError);
    await expect(refusal).rejects.toMatchObject({
      message: expect.stringContaining("'no-such-unshare-xyz' was not found") as unknown,
      howToEnable: expect.stringMatching(/unprivileged user namespaces[\s\S]*sandbox: unsafe-prelude/) as unknown,
    });
    // a command that runs but cannot make the namespaces: the real failure is the reason given
    await expect(createPythonRunner({ unshare: 'false' })).rejects.toThrow(/no safe sandbox for Python programs is available here: exit code 1/);
    // unsafe-prelude does not need unshare at all
    await expect(createPythonRunner({ sandbox: 'unsafe-prelude', unshare: 'no-such-unshare-xyz' })).resolves.toMatchObject({ sandbox: 'unsafe-prelude' });
  });
});
