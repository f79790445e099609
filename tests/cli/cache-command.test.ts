import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/cli/main.js';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { captureIO } from '../helpers/cli.js';

const server = useFixtureServer({ apiKeys: [FIXTURE_KEY] });
const tmp = useTempDir('autotune-cli-cache-');
const BIN = fileURLToPath(new URL('../../bin/autotune.js', import.meta.url));

async function cli(argv: string[], extraEnv: Record<string, string> = {}) {
  const c = captureIO({ ...fixtureEnv(server()), NO_COLOR: '1', ...extraEnv }, tmp());
  const code = await run(argv, c.io);
  return { code, out: c.out(), err: c.err() };
}

/** Seeds 41 (two requests, one asked twice) and 7 (one request, n=3) under root, plus a file of the user. */
async function populate(root: string): Promise<void> {
  for (const [seed, prompt, n] of [['41', 'What is 1 + 1?', '1'], ['41', 'What is 1 + 1?', '1'], ['41', 'What is 2 + 2?', '2'], ['7', 'What is 3 + 3?', '3']] as const) {
    const r = await cli(['create', '--cache-path-root', root, '--seed', seed, '--model', 'gpt-4o-mini', '--prompt', prompt, '-n', n, '--json']);
    expect(r.code).toBe(0);
  }
  writeFileSync(join(root, 'notes.txt'), 'mine');
}

describe('autotune cache', () => {
  it('stats: entries, size and hit rate per seed (table and --json)', async () => {
    const root = join(tmp(), '.cache');
    await populate(root);
    const j = JSON.parse((await cli(['cache', 'stats', '--cache-path-root', root, '--json'])).out);
    expect(j.seeds.map((s: { seed: string }) => s.seed)).toEqual(['7', '41']);
    expect(j.seeds[1]).toMatchObject({ seed: '41', requests: 2, samples: 3, cache_hits: 1, paid_requests: 2 });
    expect(j.seeds[1].hit_rate).toBeCloseTo(1 / 4, 12); // 1 sample from the cache, 3 fetched
    expect(j.seeds[0]).toMatchObject({ seed: '7', samples: 3, hit_rate: 0 });
    expect(j.seeds[1].bytes).toBeGreaterThan(0);
    const t = await cli(['cache', 'stats', '--cache-path-root', root, '--seed', '41']);
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/seed\s+requests\s+samples\s+size\s+cache hits\s+paid requests\s+hit rate/);
    expect(t.out).toMatch(/41\s+2\s+3\s+[\d.]+ KB\s+1\s+2\s+25\.0%/);
    expect(t.out).not.toContain('\u001b[');
  });

  it('clear --dry-run removes nothing; clear --seed removes one seed; clear removes the rest and nothing else', async () => {
    const root = join(tmp(), '.cache');
    await populate(root);
    const dry = await cli(['cache', 'clear', '--cache-path-root', root, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/would remove .*41: 3 samples \(2 requests\), [\d.]+ KB/);
    expect(dry.out).toContain('(dry run: nothing was removed)');
    expect(readdirSync(root).sort()).toEqual(['41', '7', 'notes.txt', 'usage.sqlite']);

    const one = JSON.parse((await cli(['cache', 'clear', '--cache-path-root', root, '--seed', '7', '--json'])).out);
    expect(one.cleared).toEqual([expect.objectContaining({ seed: '7', samples: 3, action: 'removed' })]);
    expect(readdirSync(root).sort()).toEqual(['41', 'notes.txt', 'usage.sqlite']);

    const all = await cli(['cache', 'clear', '--cache-path-root', root, '--all']);
    expect(all.code).toBe(0);
    expect(all.out).toMatch(/removed .*41: 3 samples \(2 requests\)/);
    expect(all.out).toMatch(/total: removed 3 samples/);
    expect(readdirSync(root).sort()).toEqual(['notes.txt', 'usage.sqlite']);
    // the usage log survived and still answers
    expect(JSON.parse((await cli(['usage', '--cache-path-root', root, '--json'])).out).runs).toHaveLength(4);
    // nothing left to lose: no --all needed
    expect((await cli(['cache', 'clear', '--cache-path-root', root])).out).toMatch(/No caches under/);
  });

  it('clear without --seed: refused when nobody can be asked, asked on a terminal, done with --all or --yes', async () => {
    const root = join(tmp(), '.cache');
    await populate(root);
    const everything = ['41', '7', 'notes.txt', 'usage.sqlite'];
    const refused = await cli(['cache', 'clear', '--cache-path-root', root]);
    expect(refused.code).toBe(2);
    expect(refused.out).toBe('');
    expect(refused.err).toMatch(/^error: --all: cache clear without --seed would remove 6 cached samples of 2 seeds \([\d.]+ KB\) under \.cache\n {2}hint: pass --all \(or --yes\)/);
    expect(readdirSync(root).sort()).toEqual(everything);

    // a terminal: the person is asked, and no means no
    const questions: string[] = [];
    const ask = (answer: boolean) => {
      const c = captureIO({ ...fixtureEnv(server()), NO_COLOR: '1' }, tmp());
      c.io.confirm = async (q) => {
        questions.push(q);
        return answer;
      };
      return c;
    };
    const no = ask(false);
    expect(await run(['cache', 'clear', '--cache-path-root', root], no.io)).toBe(1);
    expect(questions).toEqual([expect.stringMatching(/^remove 6 cached samples of 2 seeds/)]);
    expect(no.err()).toContain('nothing removed');
    expect(readdirSync(root).sort()).toEqual(everything);
    const yes = ask(true);
    expect(await run(['cache', 'clear', '--cache-path-root', root], yes.io)).toBe(0);
    expect(yes.out()).toMatch(/total: removed 6 samples/);
    expect(readdirSync(root).sort()).toEqual(['notes.txt', 'usage.sqlite']);
  });

  it('refuses unsafe seeds with exit 2 and removes nothing', async () => {
    const root = join(tmp(), '.cache');
    await populate(root);
    for (const seed of ['..', '../x', '/tmp', 'a/b']) {
      const r = await cli(['cache', 'clear', '--cache-path-root', root, '--seed', seed]);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`refusing cache seed ${JSON.stringify(seed)}`);
    }
    expect(readdirSync(root).sort()).toEqual(['41', '7', 'notes.txt', 'usage.sqlite']);
    expect(existsSync(tmp())).toBe(true);
  });

  it('the default root is .cache in the working directory, for create, usage and cache alike', async () => {
    expect((await cli(['create', '--model', 'gpt-4o-mini', '--prompt', 'What is 5 + 5?', '--json'])).code).toBe(0);
    expect(existsSync(join(tmp(), '.cache', '41', 'cache.sqlite'))).toBe(true);
    expect(JSON.parse((await cli(['usage', '--json'])).out).totals.requests).toBe(1);
    const stats = await cli(['cache', 'stats']);
    expect(stats.out).toMatch(/^41\s+1\s+1\s/m);
    const cleared = await cli(['cache', 'clear', '--yes']);
    expect(cleared.out).toMatch(/^removed \.cache\/41: 1 sample \(1 request\)/m);
    expect(readdirSync(join(tmp(), '.cache'))).toEqual(['usage.sqlite']);
  });

  it('the built bin/autotune.js clears with --json', async () => {
    const root = join(tmp(), '.cache');
    await populate(root);
    const r = spawnSync(process.execPath, [BIN, 'cache', 'clear', '--cache-path-root', root, '--seed', '41', '--json'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ dry_run: false, samples: 3, cleared: [{ seed: '41', action: 'removed' }] });
  });
});
