/**
 * Small pure helpers over plain JSON-like values (what YAML and JSON parse into): equality,
 * freezing, canonical keys and short renderings for error messages. Private to `space/`.
 */

/** Significant digits kept for real-valued parameters in configs and config keys. */
export const SIGNIFICANT_DIGITS = 4;

/** True for `{…}` objects (not arrays, not class instances such as domains). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Freezes arrays and plain objects recursively and returns the same value. */
export function deepFreeze<T>(value: T): T {
  if (Array.isArray(value) || isPlainObject(value)) {
    if (!Object.isFrozen(value)) {
      Object.freeze(value);
      for (const item of Object.values(value)) deepFreeze(item);
    }
  }
  return value;
}

/** A deep copy of arrays and plain objects, frozen; other values are returned as they are. */
export function frozenCopy<T>(value: T): T {
  return deepFreeze(structuredCopy(value));
}

function structuredCopy<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => structuredCopy(v)) as T;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = structuredCopy(v);
    return out as T;
  }
  return value;
}

/** Structural equality of JSON-like values (`0` equals `-0`; key order does not matter). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Rounds a non-integer to `digits` significant digits; integers and non-finite values pass. */
export function roundSignificant(x: number, digits: number = SIGNIFICANT_DIGITS): number {
  if (!Number.isFinite(x) || Number.isInteger(x)) return x === 0 ? 0 : x;
  const rounded = Number(x.toPrecision(digits));
  return rounded === 0 ? 0 : rounded;
}

/**
 * A canonical JSON string with numbers rounded: object keys sorted, `undefined` members dropped,
 * non-integers rounded to {@link SIGNIFICANT_DIGITS} significant digits, `-0` written as `0`.
 * Equal configs give equal strings whatever their key order, and so do configs that differ only
 * below that precision (a searcher's two draws of one temperature are one config). For an exact
 * identity (cache keys, usage bodies) use `canonicalJson` of util/canonical-json.ts.
 */
export function roundedCanonicalJson(value: unknown): string {
  return JSON.stringify(canonicalize(value));
}

function canonicalize(value: unknown): unknown {
  if (typeof value === 'number') return roundSignificant(value);
  if (Array.isArray(value)) return value.map(canonicalize);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      if (value[k] !== undefined) out[k] = canonicalize(value[k]);
    }
    return out;
  }
  return value;
}

/** A short rendering of a value for error messages (JSON, cut at 80 characters). */
export function show(value: unknown): string {
  let text: string;
  if (value === undefined) text = 'undefined';
  else if (typeof value === 'number' && !Number.isFinite(value)) text = String(value);
  else text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Names of the JSON-ish type of a value, for "expected X, got Y" messages. */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (isPlainObject(value)) return 'a mapping';
  return `a ${typeof value}`;
}
