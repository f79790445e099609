import { lstatSync, readdirSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError } from '../errors.js';
import { isSafeSeed } from './cache-layout.js';
import { CACHE_FILE, cacheDir } from './response-cache.js';
import type { Db } from './database.js';

/** A seed's cache directory that holds an autotune cache file. */
export interface CacheLocation {
  seed: string;
  dir: string;
  file: string;
}

/** A directory under the root that was left alone, and why. */
export interface SkippedEntry {
  name: string;
  reason: string;
}

/** SQLite's own files next to a database: they belong to the cache and go with it. */
export const SIDECARS = ['-journal', '-wal', '-shm'] as const;

/**
 * Find the cache directories under `root`: `{root}/{seed}` for one seed, or every entry of the
 * root whose name is a plain seed. Only real directories (not symlinks) holding a regular
 * `cache.sqlite` count; everything else (usage.sqlite, other files, links that could lead
 * outside the root) is skipped. A seed that is not a plain name (`..`, `a/b`, an absolute
 * path) is refused with a ConfigError.
 */
export function locateCaches(root: string, seed?: string): { found: CacheLocation[]; skipped: SkippedEntry[] } {
  if (seed !== undefined && !isSafeSeed(seed)) {
    throw new ConfigError(`refusing cache seed ${JSON.stringify(seed)}: it is not a plain seed name`, {
      field: '--seed',
      hint: 'a seed is an integer or a name of letters, digits, - and _ (its directory is {cache-path-root}/{seed})',
    });
  }
  const rootStat = statOrNull(root, statSync);
  if (!rootStat?.isDirectory()) return { found: [], skipped: [] };
  const names = seed !== undefined ? [seed] : readdirSync(root).filter(isSafeSeed).sort(bySeed);
  const found: CacheLocation[] = [];
  const skipped: SkippedEntry[] = [];
  for (const name of names) {
    const dir = cacheDir(root, name);
    const st = statOrNull(dir, lstatSync);
    if (!st) continue; // the asked-for seed has no cache
    if (st.isSymbolicLink()) {
      skipped.push({ name, reason: 'is a symbolic link (left alone: it could point outside the cache root)' });
      continue;
    }
    if (!st.isDirectory()) {
      if (seed !== undefined) skipped.push({ name, reason: 'is not a directory' });
      continue;
    }
    const file = join(dir, CACHE_FILE);
    const fst = statOrNull(file, lstatSync);
    if (!fst?.isFile()) {
      // a directory without a cache file is simply not a cache: worth a word only when asked for
      if (fst || seed !== undefined) skipped.push({ name, reason: fst ? `${CACHE_FILE} is not a regular file` : `holds no ${CACHE_FILE}` });
      continue;
    }
    found.push({ seed: name, dir, file });
  }
  return { found, skipped };
}

/**
 * Open a located cache file (never creating one) and check that it is autotune's: the
 * `requests` and `samples` tables. Returns the reason when it is not.
 */
export function openCacheFile(file: string): { db: Db } | { reason: string } {
  let db: Db | undefined;
  try {
    db = new Database(file, { fileMustExist: true, timeout: 15000 });
    db.pragma('busy_timeout = 15000');
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((t) => t.name);
    if (!tables.includes('requests') || !tables.includes('samples')) {
      db.close();
      return { reason: `${CACHE_FILE} is not an autotune cache (no requests/samples tables)` };
    }
    return { db };
  } catch (err) {
    if (db?.open) db.close();
    return { reason: `${CACHE_FILE} cannot be read as a cache: ${(err as Error).message}` };
  }
}

/** Requests and samples stored in an open cache. */
export function countEntries(db: Db): { requests: number; samples: number } {
  const r = db.prepare<[], { c: number }>('SELECT COUNT(DISTINCT key) AS c FROM samples').get();
  const s = db.prepare<[], { c: number }>('SELECT COUNT(*) AS c FROM samples').get();
  return { requests: r?.c ?? 0, samples: s?.c ?? 0 };
}

/** Bytes of a cache file and its SQLite sidecars (other files in the directory are not ours). */
export function cacheBytes(file: string): number {
  let total = 0;
  for (const f of [file, ...SIDECARS.map((s) => file + s)]) {
    const st = statOrNull(f, lstatSync);
    if (st?.isFile()) total += st.size;
  }
  return total;
}

function statOrNull(path: string, stat: (p: string) => Stats): Stats | null {
  try {
    return stat(path);
  } catch {
    return null;
  }
}

function bySeed(a: string, b: string): number {
  const [x, y] = [Number(a), Number(b)];
  if (Number.isInteger(x) && Number.isInteger(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}
