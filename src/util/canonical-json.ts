import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every depth, so equal values always give equal text.
 * `undefined` members are dropped (as JSON.stringify does); non-finite numbers are refused
 * because they would silently become `null` and collide.
 *
 * The text is `JSON.stringify` of a copy with sorted keys (the cache keys of existing caches
 * depend on it). Every request of a run comes through here, so only the objects whose keys are
 * out of order are copied: a part already in canonical order is written as it is.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sorted(value));
}

/** Hex SHA-256 of the canonical JSON of `value`: the stable identity of a request. */
export function hashOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

// --- internal ---

/**
 * `value` with the keys of every object sorted: `value` itself when it already is, else a copy
 * of the parts that are not (plain objects with sorted keys, arrays and primitives are reused).
 */
function sorted(value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number ${value}`);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      // JSON writes an undefined item as null either way: it needs no copy
      const s = item === undefined ? undefined : sorted(item);
      if (s !== item && copy === undefined) copy = value.slice(0, i).map((v: unknown) => (v === undefined ? null : v));
      copy?.push(s === undefined ? null : s);
    }
    return copy ?? value;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  const proto = Object.getPrototypeOf(obj) as unknown;
  // class instances (a Date, …) are written as their own keys, like any object
  let reuse = proto === Object.prototype || proto === null;
  let children: unknown[] | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    // `__proto__` and `toJSON` members change what JSON.stringify writes: the copy decides
    if (key === '__proto__' || key === 'toJSON') reuse = false;
    // Object.keys lists array-index keys first, in numeric order, as JSON.stringify writes them
    // for any object; the other keys must already be in sorted order
    else if (i > 0 && !(isIndexKey(keys[i - 1] as string) || (keys[i - 1] as string) < key)) reuse = false;
    const v = obj[key];
    const s = v === undefined ? undefined : sorted(v);
    if (s !== v) {
      reuse = false;
      (children ??= [])[i] = s;
    }
  }
  if (reuse) return obj;
  // insertion sort of the positions (code-unit order, as sort() compares strings): objects here
  // have a handful of keys, and Array.prototype.sort allocates a work copy on every call
  const order = keys.map((_, i) => i);
  for (let i = 1; i < order.length; i++) {
    const at = order[i] as number;
    let j = i - 1;
    for (; j >= 0 && (keys[order[j] as number] as string) > (keys[at] as string); j--) order[j + 1] = order[j] as number;
    order[j + 1] = at;
  }
  const out: Record<string, unknown> = {};
  for (const i of order) {
    const key = keys[i] as string;
    const v = children !== undefined && i in children ? children[i] : obj[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}

function isIndexKey(key: string): boolean {
  const c = key.charCodeAt(0);
  if (!(c >= 48 && c <= 57)) return false; // not a digit: the common case, without the regex
  return /^(0|[1-9][0-9]*)$/.test(key) && Number(key) < 2 ** 32 - 1;
}
