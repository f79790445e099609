/**
 * Where the response caches live: `{root}/{seed}/cache.sqlite`, the original's `.cache/41` by
 * default. A seed names a directory under the root, so only plain names are allowed.
 */

/** The cache root when none is given. */
export const DEFAULT_CACHE_ROOT = '.cache';

/** The cache seed when none is given. */
export const DEFAULT_SEED = '41';

/** A seed names a directory under the cache root: only plain names are safe (no `..`, `/`). */
export function isSafeSeed(s: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(s);
}
