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
    for (const key of Object.keys(value).sort()) {
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
