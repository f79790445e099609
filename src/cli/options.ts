import { ConfigError, type EvalSpec } from '../index.js';

/** Parse a number flag, or fail with a message naming the flag. */
export function numberFlag(name: string, opts: { integer?: boolean; min?: number; max?: number } = {}): (v: string) => number {
  return (v: string) => {
    const x = Number(v);
    const bad =
      v.trim() === '' || !Number.isFinite(x) || (opts.integer && !Number.isInteger(x)) || (opts.min !== undefined && x < opts.min) || (opts.max !== undefined && x > opts.max);
    if (bad) {
      const range = [opts.min !== undefined ? `>= ${opts.min}` : '', opts.max !== undefined ? `<= ${opts.max}` : ''].filter(Boolean).join(' and ');
      // the location printed before the message is the flag: it is not repeated here
      throw new ConfigError(`must be ${opts.integer ? 'an integer' : 'a number'}${range ? ` ${range}` : ''}, got ${JSON.stringify(v)}`, { field: name });
    }
    return x;
  };
}

/** Collect repeatable `--var k=v` flags into an object. */
export function collectVar(v: string, acc: Record<string, string> = {}): Record<string, string> {
  const eq = v.indexOf('=');
  if (eq <= 0) throw new ConfigError(`takes key=value, got ${JSON.stringify(v)}`, { field: '--var' });
  return { ...acc, [v.slice(0, eq)]: v.slice(eq + 1) };
}

/** Parse a JSON object flag. */
export function jsonObjectFlag(name: string): (v: string) => Record<string, unknown> {
  return (v: string) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch (err) {
      throw new ConfigError(`not valid JSON: ${(err as Error).message}`, { field: name, hint: `e.g. ${name} '{"problem": "2+2?"}'` });
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError('must be a JSON object', { field: name });
    return parsed as Record<string, unknown>;
  };
}

/**
 * An `--eval` value: a module path, `builtin:NAME`, or a built-in with options as a JSON object
 * (`'{"builtin": "answer_vote", "field": "solution"}'`).
 */
export function evalFlag(v: string): EvalSpec {
  // an object without a string `builtin` is refused, naming --eval, when the eval is loaded
  return v.trim().startsWith('{') ? (jsonObjectFlag('--eval')(v) as EvalSpec) : v;
}

/**
 * The eval spec from `--eval` and `--eval-field` (the row field a built-in reads the expected
 * answer from). `--eval-field` names an option of a built-in, so it needs `--eval` to be one.
 */
export function evalSpecOf(spec: EvalSpec | undefined, field: string | undefined): EvalSpec | undefined {
  if (field === undefined) return spec;
  if (typeof spec === 'string' && spec.startsWith('builtin:')) return { builtin: spec.slice('builtin:'.length).trim(), field };
  if (spec !== undefined && typeof spec === 'object') return { ...spec, field };
  throw new ConfigError('needs --eval to name a built-in (its field option)', {
    field: '--eval-field',
    hint: `e.g. --eval builtin:answer_vote --eval-field ${field}, or --eval '{"builtin": "answer_vote", "field": "${field}"}'`,
  });
}
