import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every depth, so equal values always give equal text.
 * `undefined` members are dropped (as JSON.stringify does); non-finite numbers are refused
 * because they would silently become `null` and collide.
 *
 * @example
 * canonicalJson({ b: 1, a: [{ y: 2, x: 1 }] }); // '{"a":[{"x":1,"y":2}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortDeep(value));
}

/** Hex SHA-256 of the canonical JSON of `value`: the stable identity of a request. */
export function hashOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

// --- internal ---

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortDeep(v)));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of sortedKeys(value)) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortDeep(v);
    }
    return out;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new TypeError(`canonicalJson: non-finite number ${value}`);
  }
  return value;
}

/**
 * The object's keys in code-unit order, as `Object.keys(o).sort()` gives them, by insertion sort:
 * every request of a run comes through here with a handful of keys per object, and
 * Array.prototype.sort allocates a work copy on each call (a large share of a cached run's
 * garbage). A copy of each object is still made: writing the text by hand, or reusing parts
 * already in order, cost more CPU than the copies (measured on request-shaped objects).
 */
function sortedKeys(obj: object): string[] {
  const keys = Object.keys(obj);
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i] as string;
    let j = i - 1;
    for (; j >= 0 && (keys[j] as string) > k; j--) keys[j + 1] = keys[j] as string;
    keys[j + 1] = k;
  }
  return keys;
}
