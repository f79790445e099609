import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The directory of autotune's own package.json. Modules run from `src/` (tests) and from
 * `dist/src/` (the package), so it is found by walking up rather than by a fixed path.
 */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string | undefined {
  let dir = dirname(from);
  for (;;) {
    if (readPackage(dir)?.name === 'autotune') return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The version in autotune's package.json. */
export function packageVersion(): string {
  const root = packageRoot();
  return (root && readPackage(root)?.version) || 'unknown';
}

function readPackage(dir: string): { name?: string; version?: string } | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
  } catch {
    return undefined; // no package.json here
  }
}
