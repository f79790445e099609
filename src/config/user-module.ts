import { stat } from 'node:fs/promises';
import { extname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors.js';

/** Where an eval was named, so errors can point at the config that named it. */
export interface SpecLocation {
  /** The YAML (or other) file that named the eval. */
  file?: string;
  /** 1-based line in that file, when the caller knows it. */
  line?: number;
  /** Key path of the eval spec inside the file, e.g. `eval`. */
  field?: string;
}

/**
 * The location fields of a `ConfigError` for a spec.
 *
 * @example
 * locate({ file: 'tune.yaml', field: 'eval' }); // { code: 'E_CONFIG_FIELD', file: 'tune.yaml', field: 'eval' }
 */
export function locate(where: SpecLocation): { code: string; file?: string; line?: number; field?: string } {
  return {
    code: 'E_CONFIG_FIELD',
    ...(where.file !== undefined ? { file: where.file } : {}),
    ...(where.line !== undefined ? { line: where.line } : {}),
    ...(where.field !== undefined ? { field: where.field } : {}),
  };
}


/** A user module after import: its resolved path and its namespace object. */
export interface LoadedModule {
  path: string;
  exports: Record<string, unknown>;
}

const MODULE_EXTENSIONS = ['.mjs', '.js', '.cjs'];

/**
 * Import a user-supplied JavaScript module (`.mjs`, `.js` or `.cjs`) named relative to `baseDir`.
 * Every failure is a `ConfigError` that names the resolved path: wrong extension, missing file,
 * or an error thrown while the module loads (kept as `cause`).
 *
 * @example
 * const mod = await importUserModule('./eval.mjs', '/project', { file: 'tune.yaml', field: 'eval' }, 'eval');
 * typeof mod.exports['default']; // 'function'
 */
export async function importUserModule(
  spec: string,
  baseDir: string,
  where: SpecLocation,
  role: string,
): Promise<LoadedModule> {
  const path = isAbsolute(spec) ? spec : resolve(baseDir, spec);
  const details = locate(where);
  if (!MODULE_EXTENSIONS.includes(extname(path))) {
    throw new ConfigError(`${role} module ${path} must be a JavaScript module (${MODULE_EXTENSIONS.join(', ')})`, {
      ...details,
      hint: extname(path) === '.ts' ? 'compile it to .js (or .mjs) first' : `name a file ending in ${MODULE_EXTENSIONS.join(', ')}`,
    });
  }
  const info = await stat(path).catch(() => null);
  if (info === null || !info.isFile()) {
    throw new ConfigError(`${role} module not found: ${path}`, {
      ...details,
      hint: `'${spec}' is resolved against ${baseDir}${where.file ? ` (the directory of ${where.file})` : ''}`,
    });
  }
  try {
    const exports = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    return { path, exports };
  } catch (err) {
    throw new ConfigError(`${role} module ${path} failed to load: ${(err as Error)?.message ?? String(err)}`, {
      ...details,
      cause: err,
      hint: 'fix the error above; run it with `node` to see the full stack',
    });
  }
}

/**
 * Describe a module's exports for error messages, e.g. `score (function), THRESHOLD (number)`.
 *
 * @example
 * describeExports({ default: { a: 1 }, b: () => 0 }); // 'default (object: a), b (function)'
 */
export function describeExports(exports: Record<string, unknown>): string {
  const names = Object.keys(exports).filter((k) => exports[k] !== undefined);
  if (names.length === 0) return 'nothing';
  return names.map((k) => {
    const v = exports[k];
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      return `${k} (object${keys.length > 0 ? `: ${keys.slice(0, 10).join(', ')}` : ''})`;
    }
    return `${k} (${v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v})`;
  }).join(', ');
}
