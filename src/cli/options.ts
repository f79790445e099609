import { ConfigError } from '../index.js';

/** Parse a number flag, or fail with a message naming the flag. */
export function numberFlag(name: string, opts: { integer?: boolean; min?: number; max?: number } = {}): (v: string) => number {
  return (v: string) => {
    const x = Number(v);
    const bad =
      v.trim() === '' || !Number.isFinite(x) || (opts.integer && !Number.isInteger(x)) || (opts.min !== undefined && x < opts.min) || (opts.max !== undefined && x > opts.max);
    if (bad) {
      const range = [opts.min !== undefined ? `>= ${opts.min}` : '', opts.max !== undefined ? `<= ${opts.max}` : ''].filter(Boolean).join(' and ');
      throw new ConfigError(`${name} must be ${opts.integer ? 'an integer' : 'a number'}${range ? ` ${range}` : ''}, got ${JSON.stringify(v)}`, { field: name });
    }
    return x;
  };
}

/** Collect repeatable `--var k=v` flags into an object. */
export function collectVar(v: string, acc: Record<string, string> = {}): Record<string, string> {
  const eq = v.indexOf('=');
  if (eq <= 0) throw new ConfigError(`--var takes key=value, got ${JSON.stringify(v)}`, { field: '--var' });
  return { ...acc, [v.slice(0, eq)]: v.slice(eq + 1) };
}

/** Parse a JSON object flag. */
export function jsonObjectFlag(name: string): (v: string) => Record<string, unknown> {
  return (v: string) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch (err) {
      throw new ConfigError(`${name} is not valid JSON: ${(err as Error).message}`, { field: name, hint: `e.g. ${name} '{"problem": "2+2?"}'` });
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`${name} must be a JSON object`, { field: name });
    return parsed as Record<string, unknown>;
  };
}
