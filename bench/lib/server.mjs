// @ts-check
/**
 * The fixture server in a child process (`node fixtures/server/cli.mjs`). A separate process is
 * the fairer set-up for throughput: the client under test and the server then do not share one
 * event loop, so the server's work is not billed to the client (on 2 cores: one each).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ROOT } from './paths.mjs';

/**
 * @typedef {{ url: string, baseURL: string, pid: number, stats(): Promise<any>, reset(): Promise<void>, close(): Promise<void> }} ServerProcess
 */

/**
 * Start a fixture server process and wait for its "listening" line.
 * @param {{ latencyMs?: number }} [opts]
 * @returns {Promise<ServerProcess>}
 */
export async function startServerProcess(opts = {}) {
  const args = ['fixtures/server/cli.mjs', '--port', '0', '--latency-ms', String(opts.latencyMs ?? 0)];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: /** @type {import('node:stream').Readable} */ (child.stdout) });
    lines.once('line', (line) => {
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m) resolve(m[1]);
      else reject(new Error(`fixture server: unexpected first line ${JSON.stringify(line)}`));
    });
    child.once('exit', (code) => reject(new Error(`fixture server exited with ${code} before listening`)));
  });
  const get = async (/** @type {string} */ path, /** @type {RequestInit} */ init = {}) => {
    // a kept-alive connection the server closes just as it is reused fails the fetch (a race
    // that long runs on loaded cores do meet): try again on a fresh connection
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await fetch(`${url}${path}`, init);
        if (!res.ok) throw new Error(`fixture server ${path}: HTTP ${res.status}`);
        return res.json();
      } catch (err) {
        if (attempt >= 3 || child.exitCode !== null) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };
  return {
    url,
    baseURL: `${url}/v1`,
    pid: /** @type {number} */ (child.pid),
    stats: () => get('/stats?log=0'),
    reset: async () => {
      await get('/stats/reset', { method: 'POST' });
    },
    close: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
