import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteResponseCache, clearCache, type CachedSample } from '../../src/index.js';
import { openDatabase } from '../../src/store/database.js';
import { useTempDir } from '../helpers/fixture.js';

const tmp = useTempDir('autotune-response-cache-');

function sample(text: string): CachedSample {
  return { choice: { message: { role: 'assistant', content: text }, finish_reason: 'stop' }, completionTokens: 2, promptTokens: 5, model: 'm' };
}

const texts = (samples: CachedSample[]): unknown[] => samples.map((s) => (s.choice.message as { content: string }).content);

describe('SqliteResponseCache', () => {
  it('serves the first n samples of a key and appends after what is stored', () => {
    const cache = SqliteResponseCache.open(tmp(), '41');
    expect(cache.get('k', 3)).toEqual([]);
    cache.append('k', {}, [sample('a'), sample('b')]);
    cache.append('k', {}, [sample('c')]);
    expect(texts(cache.get('k', 2))).toEqual(['a', 'b']);
    expect(texts(cache.get('k', 5))).toEqual(['a', 'b', 'c']);
    expect(cache.stats()).toEqual({ requests: 1, samples: 3 });
    cache.close();
  });

  it('after a run of misses, answers further misses from memory and still finds what it stores itself', () => {
    const cache = SqliteResponseCache.open(tmp(), '41');
    cache.append('stored-before', {}, [sample('old')]);
    for (let i = 0; i < 40; i++) expect(cache.get(`missing-${i}`, 1)).toEqual([]);
    expect(cache.lookups.skipped).toBeGreaterThan(0);
    const read = cache.lookups.read;
    // hits are always read; new keys of this connection enter the index
    expect(texts(cache.get('stored-before', 1))).toEqual(['old']);
    cache.append('stored-now', {}, [sample('new')]);
    expect(texts(cache.get('stored-now', 1))).toEqual(['new']);
    expect(cache.lookups.read).toBe(read + 2);
    expect(cache.get('missing-again', 1)).toEqual([]);
    expect(cache.lookups.read).toBe(read + 2);
    cache.close();
  });

  it('never answers from a stale index: another connection writing (or clearing) is seen at once', () => {
    const root = tmp();
    const mine = SqliteResponseCache.open(root, '41');
    const other = SqliteResponseCache.open(root, '41');
    mine.append('mine', {}, [sample('m')]);
    for (let i = 0; i < 40; i++) mine.get(`missing-${i}`, 1);
    expect(mine.lookups.skipped).toBeGreaterThan(0);

    other.append('theirs', {}, [sample('t')]);
    expect(texts(mine.get('theirs', 1))).toEqual(['t']);

    // the index is rebuilt after more misses, and is again kept current by data_version
    for (let i = 0; i < 100; i++) mine.get(`missing-more-${i}`, 1);
    const skipped = mine.lookups.skipped;
    mine.get('missing-once-more', 1);
    expect(mine.lookups.skipped).toBe(skipped + 1);
    other.append('theirs-later', {}, [sample('t2')]);
    expect(texts(mine.get('theirs-later', 1))).toEqual(['t2']);

    other.close();
    expect(clearCache({ root, seed: '41' }).cleared[0]?.action).toBe('emptied');
    expect(mine.get('mine', 1)).toEqual([]);
    mine.append('mine', {}, [sample('again')]);
    expect(texts(mine.get('mine', 1))).toEqual(['again']);
    mine.close();
  });

  it('keeps SQLite\'s page cache small (better-sqlite3 builds it with 16 MB), so memory does not grow with the file', () => {
    const db = openDatabase(join(tmp(), 'x.sqlite'), []);
    try {
      expect(db.pragma('cache_size', { simple: true })).toBe(-2048);
    } finally {
      db.close();
    }
  });

  it('getMany answers each request as get does, in one statement', () => {
    const cache = SqliteResponseCache.open(tmp(), '41');
    expect(cache.getMany([{ key: 'a', n: 1 }])).toEqual([[]]); // no file yet
    cache.append('a', {}, [sample('a0'), sample('a1'), sample('a2')]);
    cache.append('b', {}, [sample('b0')]);
    const requests = [
      { key: 'a', n: 2 },
      { key: 'missing', n: 3 },
      { key: 'b', n: 5 },
      { key: 'a', n: 3 },
      { key: 'a', n: 1 },
    ];
    const queries = cache.lookups.queries;
    const many = cache.getMany(requests);
    expect(cache.lookups.queries).toBe(queries + 1);
    expect(many).toEqual(requests.map((r) => cache.get(r.key, r.n)));
    expect(many.map(texts)).toEqual([['a0', 'a1'], [], ['b0'], ['a0', 'a1', 'a2'], ['a0']]);
    // misses count towards the index like get's, and known-absent keys are then not read
    cache.getMany(Array.from({ length: 40 }, (_, i) => ({ key: `missing-${i}`, n: 1 })));
    const skipped = cache.lookups.skipped;
    expect(cache.getMany([{ key: 'missing-x', n: 1 }, { key: 'b', n: 1 }]).map(texts)).toEqual([[], ['b0']]);
    expect(cache.lookups.skipped).toBe(skipped + 1);
    cache.close();
  });

  it('creates no file for lookups alone', () => {
    const root = tmp();
    const cache = SqliteResponseCache.open(root, '41');
    for (let i = 0; i < 40; i++) cache.get(`missing-${i}`, 1);
    cache.close();
    expect(cache.path).toBe(join(root, '41', 'cache.sqlite'));
    expect(existsSync(cache.path)).toBe(false);
  });
});
