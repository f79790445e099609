import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/cli/main.js';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { captureIO } from '../helpers/cli.js';

const server = useFixtureServer({ apiKeys: [FIXTURE_KEY], retryAfterMs: 20 });
const tmp = useTempDir('autotune-cli-usage-');
const BIN = fileURLToPath(new URL('../../bin/autotune.js', import.meta.url));
const ESC = '\u001b[';

beforeEach(() => server().resetStats());

async function cli(argv: string[], extraEnv: Record<string, string> = {}, opts: { tty?: boolean } = {}) {
  const c = captureIO({ ...fixtureEnv(server()), NO_COLOR: '1', ...extraEnv }, tmp(), opts);
  const code = await run(argv, c.io);
  return { code, out: c.out(), err: c.err() };
}

/** Four creates: two fresh, a cache hit, one that gets a 429 first (retried). */
async function someCreates(root: string): Promise<void> {
  const base = ['create', '--cache-path-root', root, '--json'];
  expect((await cli([...base, '--model', 'gpt-3.5-turbo', '--prompt', 'What is 6 * 7?', '-n', '2'])).code).toBe(0);
  expect((await cli([...base, '--model', 'gpt-3.5-turbo', '--prompt', 'What is 6 * 7?', '-n', '2'])).code).toBe(0); // hit
  expect((await cli([...base, '--model', 'gpt-4', '--prompt', 'What is 2 + 2?'])).code).toBe(0);
  server().scriptFaults(['429']);
  expect((await cli([...base, '--model', 'gpt-4o-mini', '--prompt', 'What is 3 + 3?'])).code).toBe(0);
}

describe('autotune usage', () => {
  it('--json: totals match the server, failures by kind, one run per create', async () => {
    const root = join(tmp(), '.cache');
    await someCreates(root);
    const r = await cli(['usage', '--cache-path-root', root, '--json']);
    expect(r.code).toBe(0);
    expect(r.out.trimEnd().split('\n')).toHaveLength(1);
    const j = JSON.parse(r.out);
    const stats = server().stats();
    expect(j.totals.requests).toBe(stats.ok);
    expect(j.totals.cost).toBeCloseTo(stats.cost, 12);
    expect(j.totals.requests + j.totals.failed).toBe(stats.requests);
    expect(j.totals.cache_hits).toBe(1);
    expect(j.by_model['gpt-3.5-turbo'].saved).toBeGreaterThan(0);
    expect(j.failures).toEqual({ rate_limit: 1 });
    expect(j.runs).toHaveLength(4);
    expect(new Set(j.runs.map((x: { command: string }) => x.command))).toEqual(new Set(['create']));
    // filters
    const one = JSON.parse((await cli(['usage', '--cache-path-root', root, '--json', '--run', j.runs[0].run_id])).out);
    expect(one.runs).toHaveLength(1);
    const model = JSON.parse((await cli(['usage', '--cache-path-root', root, '--json', '--model', 'gpt-4'])).out);
    expect(Object.keys(model.by_model)).toEqual(['gpt-4']);
    const later = JSON.parse((await cli(['usage', '--cache-path-root', root, '--json', '--since', '2999-01-01'])).out);
    expect(later.runs).toEqual([]);
    const recent = JSON.parse((await cli(['usage', '--cache-path-root', root, '--json', '--since', '10m', '--command', 'create'])).out);
    expect(recent.totals.requests).toBe(stats.ok);
    expect(JSON.parse((await cli(['usage', '--cache-path-root', root, '--json', '--command', 'tune'])).out).runs).toEqual([]);
  });

  it('prints a table, without colour under NO_COLOR, with colour when forced', async () => {
    const root = join(tmp(), '.cache');
    await someCreates(root);
    const plain = await cli(['usage', '--cache-path-root', root], {}, { tty: true });
    expect(plain.code).toBe(0);
    expect(plain.out).toMatch(/model\s+requests\s+cache hits\s+prompt tokens\s+of them cached\s+completion tokens\s+of them reasoning\s+paid\s+saved by cache\s+failed/);
    expect(plain.out).toMatch(/gpt-3\.5-turbo\s+1\s+1\s/);
    expect(plain.out).toMatch(/^total\s+3\s+1\s/m);
    expect(plain.out).toContain('Failed attempts (every retry counts): rate_limit 1');
    expect(plain.out).not.toContain(ESC);
    const coloured = await cli(['usage', '--cache-path-root', root], { NO_COLOR: '', FORCE_COLOR: '1' });
    expect(coloured.out).toContain(ESC);
  });

  it('--history (compact) and --history --full rebuild the history; no api key anywhere', async () => {
    const root = join(tmp(), '.cache');
    await someCreates(root);
    const compact = JSON.parse((await cli(['usage', '--cache-path-root', root, '--history', '--json'])).out);
    expect(compact).toMatchObject({ shape: 'compact', calls: 4 });
    const entries = Object.values(compact.history) as Array<{ created_at: number[] }>;
    expect(entries.map((e) => e.created_at)).toEqual([[0, 1], [2], [3]]); // the cache hit continues the same conversation
    const full = JSON.parse((await cli(['usage', '--cache-path-root', root, '--history', '--full', '--json'])).out);
    expect(Object.keys(full.history)).toEqual(['0', '1', '2', '3']);
    expect(full.history['2'].request).toEqual({ model: 'gpt-4', messages: [{ role: 'user', content: 'What is 2 + 2?' }] });
    expect(full.history['1'].response.cached).toBe(true);
    const pretty = await cli(['usage', '--cache-path-root', root, '--history', '--full']);
    expect(JSON.parse(pretty.out)).toEqual(full);
    for (const text of [JSON.stringify(compact), JSON.stringify(full), readFileSync(join(root, 'usage.sqlite')).toString('latin1')]) {
      expect(text).not.toContain(FIXTURE_KEY);
    }
  });

  it('with no log yet: a friendly message and exit 0 (and one JSON object with --json)', async () => {
    const r = await cli(['usage', '--cache-path-root', join(tmp(), 'empty')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/No usage logged yet: .*usage\.sqlite does not exist/);
    const j = await cli(['usage', '--cache-path-root', join(tmp(), 'empty'), '--json']);
    expect(JSON.parse(j.out)).toMatchObject({ exists: false });
  });

  it('bad --since and --command are usage errors (exit 2)', async () => {
    const r = await cli(['usage', '--since', 'last tuesday']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('error: --since: expected a date (2026-11-01), an ISO time (2026-11-01T09:30:00Z) or a duration (30m, 2h, 7d), got "last tuesday"');
    const c = await cli(['usage', '--command', 'deploy']);
    expect(c.code).toBe(2);
    expect(c.err).toMatch(/--command.*deploy/);
  });

  it('the built bin/autotune.js prints the same JSON', async () => {
    const root = join(tmp(), '.cache');
    await someCreates(root);
    const r = spawnSync(process.execPath, [BIN, 'usage', '--cache-path-root', root, '--json'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).totals.requests).toBe(server().stats().ok);
  });
});
