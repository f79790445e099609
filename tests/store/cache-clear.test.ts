import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError, SqliteResponseCache, SqliteUsageLog, cacheStats, clearCache } from '../../src/index.js';
import { useTempDir } from '../helpers/fixture.js';

const tmp = useTempDir('autotune-cache-clear-');

function fill(root: string, seed: string, keys: number, samplesPerKey = 2): void {
  const cache = SqliteResponseCache.open(root, seed);
  for (let k = 0; k < keys; k++) {
    const samples = Array.from({ length: samplesPerKey }, (_, i) => ({ choice: { message: { role: 'assistant', content: `answer ${k}.${i}` } }, completionTokens: 3, promptTokens: 7, model: 'gpt-4' }));
    cache.append(`key-${k}`, { model: 'gpt-4', k }, samples);
  }
  cache.close();
}

/**
 * root/41, root/42: caches; root/usage.sqlite; root/notes (no cache); root/43 with a foreign
 * SQLite file; root/44 -> a symlink to a cache outside the root; outside/: files not ours.
 */
function layout() {
  const root = join(tmp(), 'root');
  const outside = join(tmp(), 'outside');
  fill(root, '41', 3);
  fill(root, '42', 1, 4);
  const log = new SqliteUsageLog({ path: join(root, 'usage.sqlite'), runId: 'r', command: 'create', exitHook: null });
  log.record({ time: 0, model: 'gpt-4', endpoint: 'e', config_id: 0, n: 1, prompt_tokens: 1, completion_tokens: 1, cost: 0, saved: 0, cached: false, latency_ms: 0, outcome: 'ok', attempts: 1, request_key: 'k' });
  log.close();
  mkdirSync(join(root, 'notes'));
  writeFileSync(join(root, 'notes', 'todo.txt'), 'keep me');
  mkdirSync(join(root, '43'));
  const foreign = new Database(join(root, '43', 'cache.sqlite'));
  foreign.exec('CREATE TABLE mine (x)');
  foreign.close();
  fill(outside, '99', 2);
  writeFileSync(join(outside, 'precious.txt'), 'keep me too');
  symlinkSync(join(outside, '99'), join(root, '44'));
  return { root, outside };
}

describe('clearCache', () => {
  it('with a seed: removes that seed only and reports entries and bytes', () => {
    const { root } = layout();
    const r = clearCache({ root, seed: '41' });
    expect(r.cleared).toEqual([expect.objectContaining({ seed: '41', requests: 3, samples: 6, action: 'removed' })]);
    expect(r.cleared[0]?.bytes).toBeGreaterThan(0);
    expect(r.cleared[0]?.freed_bytes).toBe(r.cleared[0]?.bytes);
    expect(r.samples).toBe(6);
    expect(existsSync(join(root, '41'))).toBe(false);
    expect(cacheStats({ root, seed: '42' }).seeds[0]).toMatchObject({ requests: 1, samples: 4 });
  });

  it('without a seed: every seed cache, and nothing else', () => {
    const { root, outside } = layout();
    const r = clearCache({ root });
    expect(r.cleared.map((c) => c.seed)).toEqual(['41', '42']);
    expect(r.samples).toBe(10);
    expect(r.skipped).toEqual([
      { name: '43', reason: expect.stringContaining('not an autotune cache') },
      { name: '44', reason: expect.stringContaining('symbolic link') },
    ]);
    expect(readdirSync(root).sort()).toEqual(['43', '44', 'notes', 'usage.sqlite']);
    expect(readdirSync(join(root, 'notes'))).toEqual(['todo.txt']);
    expect(readdirSync(join(root, '43'))).toEqual(['cache.sqlite']);
    expect(readdirSync(outside).sort()).toEqual(['99', 'precious.txt']);
    expect(cacheStats({ root: outside, seed: '99' }).seeds[0]?.samples).toBe(4);
    const usage = new Database(join(root, 'usage.sqlite'), { readonly: true });
    expect(usage.prepare('SELECT COUNT(*) AS c FROM usage').get()).toEqual({ c: 1 });
    usage.close();
  });

  it('--dry-run reports the same and removes nothing', () => {
    const { root } = layout();
    const before = readdirSync(join(root, '41'));
    const r = clearCache({ root, dryRun: true });
    expect(r.dry_run).toBe(true);
    expect(r.cleared.map((c) => [c.seed, c.samples, c.action])).toEqual([['41', 6, 'would_remove'], ['42', 4, 'would_remove']]);
    expect(r.bytes).toBe(r.cleared.reduce((a, c) => a + c.bytes, 0));
    expect(readdirSync(join(root, '41'))).toEqual(before);
    expect(cacheStats({ root }).seeds.map((s) => s.samples)).toEqual([6, 4]);
  });

  it.each(['..', '.', 'a/b', '../outside', '/etc', '', '41/..', '.hidden'])('refuses the seed %j', (seed) => {
    const { root } = layout();
    expect(() => clearCache({ root, seed })).toThrow(ConfigError);
    expect(() => clearCache({ root, seed })).toThrow(/refusing cache seed .*: it is not a plain seed name/);
    expect(readdirSync(root).sort()).toEqual(['41', '42', '43', '44', 'notes', 'usage.sqlite']);
  });

  it('a symlinked seed is left alone even when asked for by name', () => {
    const { root, outside } = layout();
    const r = clearCache({ root, seed: '44' });
    expect(r.cleared).toEqual([]);
    expect(r.skipped[0]?.reason).toMatch(/symbolic link/);
    expect(existsSync(join(outside, '99', 'cache.sqlite'))).toBe(true);
  });

  it('files of the user in a seed directory stay, and so does the directory', () => {
    const root = join(tmp(), 'root');
    fill(root, '7', 1);
    writeFileSync(join(root, '7', 'README'), 'mine');
    const r = clearCache({ root, seed: '7' });
    expect(r.cleared[0]?.action).toBe('removed');
    expect(readdirSync(join(root, '7'))).toEqual(['README']);
  });

  it('a missing root or seed clears nothing, without error', () => {
    expect(clearCache({ root: join(tmp(), 'nope') })).toMatchObject({ cleared: [], skipped: [] });
    const { root } = layout();
    expect(clearCache({ root, seed: '5' })).toMatchObject({ cleared: [], skipped: [] });
  });

  it('a cache open in this process is emptied in place and stays usable', () => {
    const root = join(tmp(), 'root');
    fill(root, '41', 2);
    const live = SqliteResponseCache.open(root, '41');
    expect(live.get('key-0', 5)).toHaveLength(2);
    const r = clearCache({ root, seed: '41' });
    expect(r.cleared[0]).toMatchObject({ action: 'emptied', samples: 4 });
    expect(live.get('key-0', 5)).toEqual([]);
    live.append('key-0', {}, [{ choice: { text: 'after' }, completionTokens: 1, promptTokens: 1, model: 'm' }]);
    expect(live.get('key-0', 5)).toHaveLength(1);
    live.close();
    expect(cacheStats({ root, seed: '41' }).seeds[0]).toMatchObject({ requests: 1, samples: 1 });
    expect(clearCache({ root, seed: '41' }).cleared[0]?.action).toBe('removed');
  });
});
