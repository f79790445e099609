import { resolve } from 'node:path';
import { DEFAULT_CACHE_ROOT } from '../store/cache-layout.js';
import { clearCache, type ClearReport } from '../store/cache-clear.js';
import type { SkippedEntry } from '../store/cache-locate.js';
import { cacheStats, type SeedCacheStats } from '../store/cache-stats.js';
import { openUsageLog, queryHitRates, type SeedHitRate } from '../usage/usage-query.js';
import { usageLogPath } from '../usage/usage-schema.js';

/** One seed in `autotune cache stats`: its size, and its hit rate from the usage log. */
export type SeedReport = SeedCacheStats & SeedHitRate;

/** Which caches `runCacheStats` and `runCacheClear` look at. */
export interface CacheInput {
  /** Default `.cache`; relative to `cwd` when that is given. */
  cachePathRoot?: string | undefined;
  /** Only this seed (default: every seed under the root). */
  seed?: string | undefined;
  cwd?: string | undefined;
}

/** The result of `runCacheStats`. */
export interface CacheStatsReport {
  root: string;
  seeds: SeedReport[];
  skipped: SkippedEntry[];
  /** Whether a usage log exists (hit rates are null without one). */
  usage_log: boolean;
}

/**
 * Entries, size and hit rate of `{root}/{seed}`, or of every seed under the root.
 *
 * @example
 * runCacheStats({ cachePathRoot: '.cache' }).seeds[0]?.hit_rate; // e.g. 0.4
 */
export function runCacheStats(input: CacheInput): CacheStatsReport {
  const root = rootOf(input);
  const stats = cacheStats({ root, seed: input.seed });
  const db = openUsageLog(usageLogPath(root));
  let rates: Record<string, SeedHitRate> = {};
  if (db) {
    try {
      rates = queryHitRates(db);
    } finally {
      db.close();
    }
  }
  const seeds = stats.seeds.map((s) => ({ ...s, ...(rates[s.seed] ?? { cache_hits: 0, paid_requests: 0, hit_rate: null }) }));
  return { root, seeds, skipped: stats.skipped, usage_log: db !== null };
}

/**
 * Clear `{root}/{seed}`, or every seed's cache under the root (see `clearCache` for what is
 * safe while other processes use it).
 *
 * @example
 * runCacheClear({ cachePathRoot: '.cache', seed: '41', dryRun: true }).samples;
 */
export function runCacheClear(input: CacheInput & { dryRun?: boolean | undefined }): ClearReport {
  return clearCache({ root: rootOf(input), seed: input.seed, dryRun: input.dryRun });
}

/** The cache root: the given one (default `.cache`), relative to `cwd` when given. */
function rootOf(input: CacheInput): string {
  const root = input.cachePathRoot ?? DEFAULT_CACHE_ROOT;
  return input.cwd === undefined ? root : resolve(input.cwd, root);
}
