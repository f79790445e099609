import { canonicalJson, hashOf } from '../../src/util/canonical-json.js';

/** The definition canonicalJson must match: JSON.stringify of a copy built with sorted keys. */
function reference(value: unknown): string {
  const sortDeep = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : sortDeep(x)));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) if ((v as Record<string, unknown>)[k] !== undefined) out[k] = sortDeep((v as Record<string, unknown>)[k]);
      return out;
    }
    return v;
  };
  return JSON.stringify(sortDeep(value));
}

/** A small deterministic generator of JSON-ish values (keys chosen to hit the ordering rules). */
function randomValue(next: () => number, depth: number): unknown {
  const pick = Math.floor(next() * (depth > 3 ? 5 : 8));
  const keys = ['b', 'a', 'B', '10', '9', '0', '01', '-1', '1.5', 'é', 'z z', '"q"', '4294967295', '4294967294', ''];
  switch (pick) {
    case 0:
      return null;
    case 1:
      return next() < 0.5;
    case 2:
      return [0, -0, 1.5, -3, 1e21, 5e-7, 123456789012][Math.floor(next() * 7)];
    case 3:
      return ['', 'x', 'line\nbreak', 'quote " and \\', '\u2028', 'ü✓', '\ud800'][Math.floor(next() * 7)];
    case 4:
      return undefined;
    case 5:
    case 6: {
      const obj: Record<string, unknown> = {};
      const count = Math.floor(next() * 6);
      for (let i = 0; i < count; i++) obj[keys[Math.floor(next() * keys.length)] as string] = randomValue(next, depth + 1);
      return obj;
    }
    default:
      return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
  }
}

describe('canonicalJson', () => {
  it('gives equal text for equal values whatever their key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(canonicalJson({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }));
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });

  it('drops undefined members, writes undefined array items as null, and refuses non-finite numbers', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 1] })).toBe('{"b":[null,1]}');
    expect(() => canonicalJson({ t: Number.NaN })).toThrow(/non-finite/);
    expect(() => canonicalJson([Infinity])).toThrow(/non-finite/);
  });

  it('writes exactly what JSON.stringify of a sorted copy writes, integer-like keys and escapes included', () => {
    let seed = 12345;
    const next = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 2000; i++) {
      const v = randomValue(next, 0);
      if (v === undefined) continue;
      expect(canonicalJson(v)).toBe(reference(v));
    }
  });

  it('treats values JSON treats specially (functions, __proto__ keys, bigints) as the plain definition does', () => {
    const withFn = { a: 1, f: () => 1, list: [() => 2] };
    expect(canonicalJson(withFn)).toBe(reference(withFn));
    const proto = JSON.parse('{"__proto__": {"x": 1}, "a": 1}') as unknown;
    expect(canonicalJson(proto)).toBe(reference(proto));
    expect(() => canonicalJson({ big: 1n })).toThrow(TypeError);
  });

  it('keeps the cache key of a request stable across versions (existing caches stay valid)', () => {
    const request = {
      api: 'chat',
      model: 'gpt-3.5-turbo',
      temperature: 0.7,
      max_tokens: 256,
      stop: ['\n\n'],
      messages: [
        { role: 'system', content: 'Be brief "and" exact\u2028.' },
        { role: 'user', content: 'What is 2+2? é ✓' },
      ],
      logit_bias: { '50256': -100, '9': 5, a: 1 },
    };
    // computed once with the sorted-copy implementation the first caches were written with
    expect(hashOf(request)).toBe('e15796f7032c1216f995584518bbe854b170cf5c7545f598d78657e194a45dae');
  });
});
