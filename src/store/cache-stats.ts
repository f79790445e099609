import { cacheBytes, countEntries, locateCaches, openCacheFile, type SkippedEntry } from './cache-locate.js';

/** Size of one seed's cache. */
export interface SeedCacheStats {
  seed: string;
  dir: string;
  /** Distinct requests (cache keys) and samples stored. */
  requests: number;
  samples: number;
  /** Bytes of the cache file and its SQLite sidecars. */
  bytes: number;
}

/**
 * Entries and size of `{root}/{seed}`, or of every seed under the root. Reading is safe while
 * other processes use the caches (WAL readers never block writers).
 *
 * @example
 * cacheStats({ root: '.cache' }).seeds.map((s) => `${s.seed}: ${s.samples} samples`);
 */
export function cacheStats(opts: { root: string; seed?: string | undefined }): { root: string; seeds: SeedCacheStats[]; skipped: SkippedEntry[] } {
  const { found, skipped } = locateCaches(opts.root, opts.seed);
  const seeds: SeedCacheStats[] = [];
  for (const loc of found) {
    const bytes = cacheBytes(loc.file); // before opening: a connection adds its own -shm for a while
    const opened = openCacheFile(loc.file);
    if ('reason' in opened) {
      skipped.push({ name: loc.seed, reason: opened.reason });
      continue;
    }
    try {
      seeds.push({ seed: loc.seed, dir: loc.dir, ...countEntries(opened.db), bytes });
    } finally {
      opened.db.close();
    }
  }
  return { root: opts.root, seeds, skipped };
}
