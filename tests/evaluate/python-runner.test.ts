import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { createPythonRunner } from '../../src/evaluate/builtins/python-runner.js';
import type { PythonRunner } from '../../src/evaluate/builtins/python-runner.js';

describe('createPythonRunner', () => {
  let runner: PythonRunner;
  let preludeOnly: PythonRunner;
  let server: Server;
  let port = 0;
  let connections = 0;

  beforeAll(async () => {
    runner = await createPythonRunner({ maxOutputBytes: 1000 });
    preludeOnly = await createPythonRunner({ network: 'prelude' });
    console.log(`python runner: ${runner.executable}, network isolation: ${runner.isolation}`);
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

  it('runs a program and reports exit code and output', async () => {
    const r = await runner.run('print(6 * 7)\n', 5000);
    expect(r).toEqual({ exitCode: 0, timedOut: false, stdout: '42\n', stderr: '' });
  });

  it('reports failures, syntax errors (naming program.py) and sys.exit codes', async () => {
    expect((await runner.run('assert 1 == 2\n', 5000)).exitCode).toBe(1);
    const syntax = await runner.run('def f(:\n', 5000);
    expect(syntax.exitCode).toBe(1);
    expect(syntax.stderr).toMatch(/program\.py.*\n[\s\S]*SyntaxError/);
    expect((await runner.run('import sys\nsys.exit(3)\n', 5000)).exitCode).toBe(3);
    expect((await runner.run('print(__name__)\n', 5000)).stdout).toBe('__main__\n');
  });

  it('kills an infinite loop at the timeout, together with the processes it started', async () => {
    const program = [
      'import subprocess, sys',
      "p = subprocess.Popen(['sleep', '30'])",
      'print(p.pid, flush=True)',
      'while True: pass',
    ].join('\n');
    const r = await runner.run(program, 1000);
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBeNull();
    const pid = Number(r.stdout.trim());
    expect(pid).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(isAlive(pid)).toBe(false);
  });

  it.each([
    ['auto', () => runner],
    ['prelude', () => preludeOnly],
  ])('blocks network access (%s)', async (_name, get) => {
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

  it('runs in a fresh temp dir that is removed afterwards, with a scrubbed environment', async () => {
    process.env['AUTOTUNE_TEST_SECRET'] = 'sk-should-not-leak';
    try {
      const r = await runner.run("import os\nopen('scratch.txt', 'w').write('x')\nprint(os.getcwd())\nprint(sorted(os.environ))\n", 5000);
      const [cwd = '', env = ''] = r.stdout.trim().split('\n');
      expect(cwd).toMatch(/autotune-code-/);
      expect(existsSync(cwd)).toBe(false);
      expect(env).not.toContain('AUTOTUNE_TEST_SECRET');
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
});

/** Running (not merely an unreaped zombie: containers' PID 1 may not reap orphans). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): signal 0 succeeded, so it exists
  }
}
