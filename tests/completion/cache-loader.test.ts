import { join } from 'node:path';
import { CacheLoader } from '../../src/completion/cache-loader.js';
import { SqliteResponseCache, type CachedSample, type ResponseCache } from '../../src/index.js';
import { useTempDir } from '../helpers/fixture.js';

const tmp = useTempDir('autotune-cache-loader-');

function sample(text: string): CachedSample {
  return { choice: { text }, completionTokens: 1, promptTokens: 1, model: 'm' };
}

/** A deferral the test runs by hand, to see what one turn of the loop collects. */
function manual(): { defer: (fn: () => void) => void; run: () => void; pending: () => number } {
  const queue: Array<() => void> = [];
  return { defer: (fn) => void queue.push(fn), run: () => queue.splice(0).forEach((fn) => fn()), pending: () => queue.length };
}

describe('CacheLoader', () => {
  it('answers the lookups of one moment with one read of the SQLite cache, each as get would', async () => {
    const cache = new SqliteResponseCache(join(tmp(), 'cache.sqlite'));
    for (let i = 0; i < 10; i++) cache.append(`k${i}`, {}, [sample(`${i}a`), sample(`${i}b`)]);
    const clock = manual();
    const loader = new CacheLoader(cache, clock.defer);
    const asked = Array.from({ length: 12 }, (_, i) => ({ key: `k${i}`, n: 1 + (i % 2) }));
    const answers = asked.map((a) => loader.load(a.key, a.n));
    expect(clock.pending()).toBe(1); // one flush for the whole batch
    const queries = cache.lookups.queries;
    clock.run();
    expect(cache.lookups.queries).toBe(queries + 1);
    expect(await Promise.all(answers)).toEqual(asked.map((a) => cache.get(a.key, a.n)));
    // the next moment is a new batch
    const later = loader.load('k3', 2);
    clock.run();
    expect((await later).map((s) => s.choice.text)).toEqual(['3a', '3b']);
    cache.close();
  });

  it('reads key by key from a cache without getMany, and rejects every lookup of a batch whose read fails', async () => {
    const real = new SqliteResponseCache(join(tmp(), 'cache.sqlite'));
    real.append('a', {}, [sample('x')]);
    const keyByKey: ResponseCache = { get: (k, n) => real.get(k, n), append: (...a) => real.append(...a), stats: () => real.stats(), close: () => real.close() };
    const clock = manual();
    const plain = new CacheLoader(keyByKey, clock.defer);
    const both = [plain.load('a', 1), plain.load('b', 1)];
    clock.run();
    expect((await Promise.all(both)).map((l) => l.length)).toEqual([1, 0]);

    const broken: ResponseCache = { ...keyByKey, getMany: () => { throw new Error('disk gone'); } };
    const failing = new CacheLoader(broken, clock.defer);
    const lost = [failing.load('a', 1), failing.load('b', 1)];
    clock.run();
    for (const p of lost) await expect(p).rejects.toThrow('disk gone');
    real.close();
  });
});
