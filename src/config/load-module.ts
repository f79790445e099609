import { ConfigError } from '../errors.js';
import { describeExports, importUserModule, locate, type SpecLocation } from './user-module.js';

/**
 * Import a function from a user module (`.js`, `.mjs`, `.cjs`), resolved against `baseDir`.
 * `exportName` picks a named export; without it the default export is used, then each of
 * `fallbacks`. Errors say what was resolved and which exports the module has.
 */
export async function importFunction<F extends (...args: never[]) => unknown>(
  path: string,
  baseDir: string,
  where: SpecLocation,
  exportName?: string,
  fallbacks: readonly string[] = [],
): Promise<F> {
  const { exports } = await importUserModule(path, baseDir, where, where.field ?? 'module');
  const names = exportName ? [exportName] : ['default', ...fallbacks];
  for (const name of names) {
    let candidate = exports[name];
    // a CommonJS `module.exports = { filter }` arrives as default: { filter }
    if (typeof candidate !== 'function' && name !== 'default' && exports.default && typeof exports.default === 'object') {
      candidate = (exports.default as Record<string, unknown>)[name];
    }
    if (typeof candidate === 'function') return candidate as F;
  }
  throw new ConfigError(`module ${path} has no function export ${names.map((n) => `'${n}'`).join(' or ')}`, {
    ...locate(where),
    code: 'E_MODULE_EXPORT',
    hint: `it exports: ${describeExports(exports)}`,
  });
}
