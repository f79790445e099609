import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { SqliteResponseCache, clearCache } from '../../src/index.js';
import { useFixtureServer, useTempDir } from '../helpers/fixture.js';

const server = useFixtureServer({});
const tmp = useTempDir('autotune-cache-concurrent-');
const CHILD = fileURLToPath(new URL('./fixtures/cache-user.mjs', import.meta.url));

const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  // never leave a child behind, even when a test fails half-way
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function startChild(args: string[]): { child: ChildProcessWithoutNullStreams; next: () => Promise<string> } {
  const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
  const next = async (): Promise<string> => {
    const r = await lines.next();
    if (r.done) throw new Error(`child ended: ${stderr}`);
    return r.value as string;
  };
  return { child, next };
}

function integrity(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return String(db.pragma('integrity_check', { simple: true }));
  } finally {
    db.close();
  }
}

describe('cache clear while another process uses the cache', () => {
  it('a process holding the cache open sees it emptied and keeps working on the same file', async () => {
    const root = join(tmp(), 'root');
    const cache = SqliteResponseCache.open(root, '41');
    cache.append('key-0', { k: 0 }, [{ choice: { text: 'old' }, completionTokens: 1, promptTokens: 1, model: 'm' }]);
    cache.close();
    const { child, next } = startChild(['hold', root, '41']);
    expect(await next()).toBe('ready 1');

    const r = clearCache({ root, seed: '41' });
    expect(r.cleared[0]).toMatchObject({ action: 'emptied', samples: 1 });

    child.stdin.write('go\n');
    expect(JSON.parse(await next())).toEqual({ seen: ['child 0'] }); // the old sample is gone, the new one is stored
    child.stdin.end(); // EOF: the child closes its cache and exits
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    expect(child.exitCode).toBe(0);
    const file = join(root, '41', 'cache.sqlite');
    expect(integrity(file)).toBe('ok');
    // what the other process wrote after the clear is kept; now nobody has it open: removed
    expect(clearCache({ root, seed: '41' }).cleared[0]).toMatchObject({ action: 'removed', samples: 1 });
    expect(existsSync(join(root, '41'))).toBe(false);
  });

  it.each([
    ['one-shot create calls (open, call, close): the cache is removed between them', 'fresh', 'removed'],
    ['create calls plus a long-lived run context: the cache is emptied in place', 'live', 'emptied'],
  ])('%s; nothing is ever corrupt', async (_title, mode, expected) => {
    const root = join(tmp(), 'root');
    const { child, next } = startChild(['loop', root, '41', `${server().baseURL}`, '1000', mode]);
    const done = next();
    let finished = false;
    done.then(
      () => (finished = true),
      () => (finished = true),
    );
    const actions: string[] = [];
    // clear for as long as the child works (at least 1 s and 40 calls: not a throughput assumption)
    while (!finished) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      for (const c of clearCache({ root, seed: '41' }).cleared) actions.push(c.action);
    }
    const summary = JSON.parse(await done) as { ok: number; errors: Array<{ name: string; message: string }> };
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    expect(child.exitCode).toBe(0);
    expect(summary.ok).toBeGreaterThan(20); // of at least 40 calls
    // anything that went wrong is a clear CacheError, never a crash or a corrupt database
    for (const e of summary.errors) expect(e).toMatchObject({ name: 'CacheError' });
    expect(actions).toContain(expected);
    const file = join(root, '41', 'cache.sqlite');
    if (existsSync(file)) expect(integrity(file)).toBe('ok');
    // the usage log the creates wrote is intact too
    expect(integrity(join(root, 'usage.sqlite'))).toBe('ok');
  });
});
