import { ConfigError } from '../errors.js';
import type { SpecLocation } from './builtins/options.js';
import { validateOptions } from './builtins/options.js';
import { BUILTIN_EVALS } from './builtins/registry.js';
import type { EvalFunction, EvalSpec } from './eval-types.js';
import { locate } from './builtins/options.js';
import { describeExports, importUserModule } from '../config/user-module.js';

/** Where to resolve module paths, and where the spec came from (for error messages). */
export interface LoadEvalOptions extends SpecLocation {
  /** Directory module paths are resolved against (usually the config file's directory). */
  baseDir: string;
}

/**
 * Turn an eval spec into an eval function. The spec is a module path (`./eval.mjs`, `.js`,
 * `.cjs`; its default export, or a named export `evaluate`, must be a function), `builtin:NAME`,
 * or `{ builtin: NAME, ...options }`. All mistakes are `ConfigError`s (exit code 2): missing
 * file (with the resolved path), no function export (listing the exports), unknown builtin
 * (listing the builtins) and bad options (naming the option).
 *
 * @example
 * const score = await loadEval({ builtin: 'exact_match', ignore_case: true }, { baseDir: '.' });
 * await score(['paris'], { answer: 'Paris' }); // { success: 1, expected_success: 1, pass_rate: 1 }
 */
export async function loadEval(spec: EvalSpec, options: LoadEvalOptions): Promise<EvalFunction> {
  const where: SpecLocation = { ...options };
  if (typeof spec === 'string') {
    if (spec.startsWith('builtin:')) return createBuiltin(spec.slice('builtin:'.length).trim(), {}, where);
    if (spec.trim() === '') throw new ConfigError('eval spec is empty', { ...locate(where), hint: hintForSpec() });
    return loadModuleEval(spec, options.baseDir, where);
  }
  if (spec !== null && typeof spec === 'object' && !Array.isArray(spec)) {
    const { builtin, ...rest } = spec as Record<string, unknown>;
    if (typeof builtin === 'string') return createBuiltin(builtin, rest, where);
    throw new ConfigError(`eval spec object needs a string 'builtin' key, got keys: ${Object.keys(spec).join(', ') || 'none'}`, {
      ...locate(where), hint: hintForSpec(),
    });
  }
  throw new ConfigError(`eval spec must be a module path, 'builtin:NAME' or { builtin: NAME, ... }, got ${spec === null ? 'null' : typeof spec}`, {
    ...locate(where), hint: hintForSpec(),
  });
}

/**
 * Names of the built-in evals, sorted.
 *
 * @example
 * listBuiltinEvals(); // ['answer_vote', 'code', 'exact_match', 'includes', 'json', 'regex']
 */
export function listBuiltinEvals(): string[] {
  return Object.keys(BUILTIN_EVALS).sort();
}

// --- internal ---

async function createBuiltin(name: string, rawOptions: Record<string, unknown>, where: SpecLocation): Promise<EvalFunction> {
  const builtin = Object.hasOwn(BUILTIN_EVALS, name) ? BUILTIN_EVALS[name] : undefined;
  if (builtin === undefined) {
    throw new ConfigError(`unknown builtin eval '${name}'`, {
      ...locate(where),
      hint: `builtins: ${listBuiltinEvals().join(', ')}`,
    });
  }
  return builtin.create(validateOptions(name, builtin.options, rawOptions, where), where);
}

async function loadModuleEval(spec: string, baseDir: string, where: SpecLocation): Promise<EvalFunction> {
  const { path, exports } = await importUserModule(spec, baseDir, where, 'eval');
  const fn = pickFunction(exports);
  if (fn === undefined) {
    throw new ConfigError(`eval module ${path} has no function export: it exports ${describeExports(exports)}`, {
      ...locate(where),
      hint: 'export default (or export a function named `evaluate`) taking (responses, row) and returning { metric: number }',
    });
  }
  return fn;
}

function pickFunction(exports: Record<string, unknown>): EvalFunction | undefined {
  const candidates: unknown[] = [exports['default'], exports['evaluate']];
  const def = exports['default'];
  if (def !== null && typeof def === 'object') candidates.push((def as Record<string, unknown>)['evaluate']); // CommonJS `module.exports = { evaluate }`
  return candidates.find((c): c is EvalFunction => typeof c === 'function');
}

function hintForSpec(): string {
  return `e.g. eval: ./my-eval.mjs, eval: builtin:exact_match, or eval: { builtin: answer_vote, field: answer } (builtins: ${listBuiltinEvals().join(', ')})`;
}
