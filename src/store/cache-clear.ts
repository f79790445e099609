import { rmdirSync, unlinkSync } from 'node:fs';
import { cacheBytes, countEntries, locateCaches, openCacheFile, SIDECARS, type CacheLocation, type SkippedEntry } from './cache-locate.js';
import type { Db } from './database.js';

/** What `clearCache` did (or, with dryRun, would do) to one seed. */
export interface ClearedSeed {
  seed: string;
  dir: string;
  /** Distinct requests and samples (entries) that were stored. */
  requests: number;
  samples: number;
  /** Bytes of the cache files before, and bytes freed. */
  bytes: number;
  freed_bytes: number;
  /**
   * removed: the cache files (and the directory, when empty) were deleted;
   * emptied: another process had the cache open, so it was emptied in place (rows deleted,
   *   file vacuumed) and left for that process to go on using;
   * would_remove: dry run.
   */
  action: 'removed' | 'emptied' | 'would_remove';
}

/** The result of `clearCache`. */
export interface ClearReport {
  root: string;
  dry_run: boolean;
  cleared: ClearedSeed[];
  /** Directories under the root that look like seeds but were left alone, and why. */
  skipped: SkippedEntry[];
  /** Samples and bytes removed (or that would be). */
  samples: number;
  bytes: number;
}

/** What to clear. */
export interface ClearOptions {
  /** The cache root (default `.cache`). */
  root: string;
  /** One seed; all seeds under the root when absent. */
  seed?: string | undefined;
  dryRun?: boolean | undefined;
}

/**
 * Clear response caches: `{root}/{seed}`, or every seed under the root. Nothing else is ever
 * touched: not usage.sqlite, not other files, not symlinks, not directories without an
 * autotune cache file.
 *
 * Safe while another process uses the cache. The rows are first deleted through SQLite in
 * one transaction, so every process sees the cache as empty from then on. Then, if no other
 * connection has the file open (switching it out of WAL mode succeeds only then), it is
 * deleted under an exclusive lock; otherwise it is vacuumed in place and the other process
 * keeps working on the same, now empty, database. Files are never deleted under a live
 * connection, which is what corrupts SQLite databases.
 *
 * @example
 * const report = clearCache({ root: '.cache', seed: '41', dryRun: true });
 * report.cleared[0]?.samples; // samples that would be removed
 */
export function clearCache(opts: ClearOptions): ClearReport {
  const { found, skipped } = locateCaches(opts.root, opts.seed);
  const cleared: ClearedSeed[] = [];
  for (const loc of found) {
    // measured before opening: an open connection adds its own -shm/-wal for a while
    const bytes = cacheBytes(loc.file);
    const opened = openCacheFile(loc.file);
    if ('reason' in opened) {
      skipped.push({ name: loc.seed, reason: opened.reason });
      continue;
    }
    cleared.push(clearOne(loc, opened.db, bytes, opts.dryRun ?? false));
  }
  skipped.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    root: opts.root,
    dry_run: opts.dryRun ?? false,
    cleared,
    skipped,
    samples: cleared.reduce((a, c) => a + c.samples, 0),
    bytes: cleared.reduce((a, c) => a + (c.action === 'would_remove' ? c.bytes : c.freed_bytes), 0),
  };
}

function clearOne(loc: CacheLocation, db: Db, bytes: number, dryRun: boolean): ClearedSeed {
  let closed = false;
  try {
    const counts = countEntries(db);
    const base = { seed: loc.seed, dir: loc.dir, ...counts, bytes };
    if (dryRun) return { ...base, freed_bytes: 0, action: 'would_remove' };
    // 1. Empty it through SQLite: atomic, and visible to every connection at once.
    db.transaction(() => {
      db.exec('DELETE FROM samples; DELETE FROM requests;');
    }).immediate();
    // 2. Delete the files only if nobody else has the database open.
    if (takeExclusive(db)) {
      removeFiles(loc);
      db.close(); // releases the lock on the now unlinked file
      closed = true;
      return { ...base, freed_bytes: bytes, action: 'removed' };
    }
    // 3. In use: give the space back but leave the file to the other process.
    db.pragma('busy_timeout = 5000');
    try {
      db.exec('VACUUM');
      db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // busy: the rows are gone already; the space is reused by later writes
    }
    db.close();
    closed = true;
    return { ...base, freed_bytes: Math.max(0, bytes - cacheBytes(loc.file)), action: 'emptied' };
  } finally {
    if (!closed && db.open) db.close();
  }
}

/**
 * True when this is the only connection: leaving WAL mode needs every other connection
 * closed, and fails at once (busy timeout 0) otherwise. On success the file is in rollback
 * mode (no -wal/-shm) and we hold an EXCLUSIVE lock, so a process opening it now waits
 * instead of reading a file that is about to go.
 */
function takeExclusive(db: Db): boolean {
  db.pragma('busy_timeout = 0');
  try {
    if (String(db.pragma('journal_mode = DELETE', { simple: true })).toLowerCase() !== 'delete') return false;
    db.exec('BEGIN EXCLUSIVE');
    return true;
  } catch {
    return false;
  }
}

/**
 * Sidecars first, the database last: once cache.sqlite is gone a new process may create a
 * fresh cache (and its sidecars) in the same directory, and those must not be touched. The
 * directory is removed only when nothing else is left in it.
 */
function removeFiles(loc: CacheLocation): void {
  for (const s of SIDECARS) unlinkIfPresent(loc.file + s);
  unlinkIfPresent(loc.file);
  try {
    rmdirSync(loc.dir);
  } catch {
    // not empty: a new cache was just created there, or files that are not ours
  }
}

function unlinkIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
