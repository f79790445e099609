import { ConfigError } from '../../src/errors.js';
import { createRng } from '../../src/space/rng.js';

const draws = (n: number, f: () => number): number[] => Array.from({ length: n }, f);

describe('createRng', () => {
  it('is deterministic by seed, and numbers and strings of the same seed agree', () => {
    const a = createRng(41);
    const b = createRng(41);
    const c = createRng('41');
    const seqA = draws(20, () => a.next());
    expect(draws(20, () => b.next())).toEqual(seqA);
    expect(draws(20, () => c.next())).toEqual(seqA);
  });

  it('gives unrelated streams for nearby seeds', () => {
    const r1 = createRng(1);
    const r2 = createRng(2);
    const a = draws(10, () => r1.next());
    const b = draws(10, () => r2.next());
    expect(a).not.toEqual(b);
  });

  it('next() stays in [0, 1) and is roughly uniform', () => {
    const rng = createRng('uniform');
    const xs = draws(20000, () => rng.next());
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.49);
    expect(mean).toBeLessThan(0.51);
  });

  it('int() covers both inclusive bounds and nothing outside', () => {
    const rng = createRng(7);
    const seen = new Set(draws(2000, () => rng.int(1, 6)));
    expect([...seen].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(rng.int(3, 3)).toBe(3);
    expect(() => rng.int(5, 4)).toThrow(/lo <= hi.*lo=5, hi=4/);
    expect(() => rng.int(0.5, 4)).toThrow(RangeError);
  });

  it('normal() has mean ~0 and standard deviation ~1', () => {
    const rng = createRng(3);
    const xs = draws(20000, () => rng.normal());
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(sd - 1)).toBeLessThan(0.03);
    expect(xs.every(Number.isFinite)).toBe(true);
  });

  it('pick() returns members and refuses an empty array', () => {
    const rng = createRng(5);
    const items = ['a', 'b', 'c'] as const;
    expect(new Set(draws(200, () => items.indexOf(rng.pick(items))))).toEqual(new Set([0, 1, 2]));
    expect(() => rng.pick([])).toThrow(/must not be empty/);
  });

  it('shuffle() returns a permuted copy and leaves the input alone', () => {
    const rng = createRng(9);
    const input = Object.freeze([1, 2, 3, 4, 5, 6, 7, 8]);
    const out = rng.shuffle(input);
    expect(out).not.toBe(input);
    expect([...out].sort()).toEqual([...input]);
    expect(input).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('fork() depends on the parent seed and label, not on draws the parent made', () => {
    const fresh = createRng(41).fork('trial-3');
    const used = createRng(41);
    draws(1000, () => used.next());
    const late = used.fork('trial-3');
    expect(draws(10, () => late.next())).toEqual(draws(10, () => fresh.next()));
    expect(late.seed).toBe(createRng(41).fork('trial-3').seed);
  });

  it('fork() streams are independent of each other and of the parent', () => {
    const parent = createRng(41);
    const a = parent.fork('a');
    const b = parent.fork('b');
    const pa = draws(10, () => a.next());
    const pb = draws(10, () => b.next());
    const pp = draws(10, () => createRng(41).next());
    expect(pa).not.toEqual(pb);
    expect(pa).not.toEqual(pp);
    // Drawing from a fork does not move the parent.
    const p2 = createRng(41);
    p2.fork('x').next();
    expect(p2.next()).toBe(pp[0]);
    // Nested labels are unambiguous.
    expect(parent.fork('a/b').seed).not.toBe(parent.fork('a').fork('b').seed);
  });

  it('refuses a non-finite numeric seed with a ConfigError', () => {
    expect(() => createRng(Number.NaN)).toThrow(ConfigError);
    expect(() => createRng(Infinity)).toThrow(/seed must be a finite number or a string, got Infinity/);
  });
});
