import { ConfigError } from '../../src/errors.js';
import { ChoiceDomain, ConstDomain, FloatDomain, IntDomain, SubSpace, isDomain, isNumericDomain } from '../../src/space/domains.js';
import { createRng } from '../../src/space/rng.js';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

describe('FloatDomain', () => {
  it('uniform sampling stays in [low, high] and values are canonical (4 significant digits)', () => {
    const d = new FloatDomain({ low: 0, high: 2 }, 'temperature');
    const rng = createRng(1);
    const xs = Array.from({ length: 5000 }, () => d.sample(rng));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThanOrEqual(2);
    expect(median(xs)).toBeGreaterThan(0.9);
    expect(median(xs)).toBeLessThan(1.1);
    expect(xs.every((x) => Number(x.toPrecision(4)) === x)).toBe(true);
  });

  it('loguniform favours small values (median near the geometric mean)', () => {
    const d = new FloatDomain({ low: 0.001, high: 1, log: true });
    const rng = createRng(2);
    const xs = Array.from({ length: 5000 }, () => d.sample(rng));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0.001);
    expect(Math.max(...xs)).toBeLessThanOrEqual(1);
    // uniform would give ~0.5; log-uniform gives sqrt(0.001 * 1) ~ 0.032
    expect(median(xs)).toBeGreaterThan(0.02);
    expect(median(xs)).toBeLessThan(0.05);
  });

  it('round-trips toUnit/fromUnit, in log space for log domains', () => {
    const lin = new FloatDomain({ low: 0, high: 2 });
    expect(lin.toUnit(1.5)).toBeCloseTo(0.75);
    expect(lin.fromUnit(0.5)).toBe(1);
    const log = new FloatDomain({ low: 0.01, high: 100, log: true });
    expect(log.toUnit(1)).toBeCloseTo(0.5);
    for (const v of [0.01, 0.0347, 1, 2.5, 99.99, 100]) expect(log.fromUnit(log.toUnit(v))).toBe(v);
    for (const v of [0, 0.7, 1.234, 2]) expect(lin.fromUnit(lin.toUnit(v))).toBe(v);
    expect(lin.toUnit(5)).toBe(1); // clamped
    expect(lin.fromUnit(-1)).toBe(0);
    expect(() => lin.fromUnit(Number.NaN)).toThrow(RangeError);
  });

  it('quniform rounds to multiples of q inside the range', () => {
    const d = new FloatDomain({ low: 0.05, high: 1, q: 0.1 }, 'top_p');
    const rng = createRng(3);
    const xs = Array.from({ length: 2000 }, () => d.sample(rng));
    const allowed = new Set([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(xs.every((x) => allowed.has(x))).toBe(true);
    expect(new Set(xs).size).toBe(10);
    expect(d.fromUnit(0)).toBe(0.1); // 0.05 rounds into the range, not below it
    expect(d.contains(0.3)).toBe(true);
    expect(d.contains(0.35)).toBe(false);
    expect(d.fromUnit(d.toUnit(0.7))).toBe(0.7);
  });

  it('states the broken invariant and the values', () => {
    expect(() => new FloatDomain({ low: 3, high: 1 }, 'temperature')).toThrow('`temperature`: low <= high must hold, got low=3, high=1');
    expect(() => new FloatDomain({ low: 0, high: 1, log: true }, 'top_p')).toThrow('`top_p`: low > 0 for a log domain must hold, got low=0');
    expect(() => new FloatDomain({ low: 0, high: 1, q: 0 }, 'x')).toThrow('`x`: q > 0 must hold, got q=0');
    expect(() => new FloatDomain({ low: 0.31, high: 0.39, q: 0.1 }, 'x')).toThrow(/some multiple of q within \[low, high\] must hold, got low=0.31, high=0.39, q=0.1/);
    expect(() => new FloatDomain({ low: Number.NaN, high: 1 }, 'x')).toThrow(ConfigError);
  });

  it('is frozen and serialises back to the YAML syntax', () => {
    const d = new FloatDomain({ low: 0, high: 2 });
    expect(Object.isFrozen(d)).toBe(true);
    expect(d.toJSON()).toEqual({ uniform: [0, 2] });
    expect(new FloatDomain({ low: 0.1, high: 1, log: true }).toJSON()).toEqual({ loguniform: [0.1, 1] });
    expect(new FloatDomain({ low: 0, high: 1, q: 0.25 }).toJSON()).toEqual({ quniform: [0, 1, 0.25] });
  });
});

describe('IntDomain', () => {
  it('randint bounds are inclusive (unlike FLAML)', () => {
    const d = new IntDomain({ low: 1, high: 20 }, 'n');
    const rng = createRng(4);
    const xs = Array.from({ length: 4000 }, () => d.sample(rng));
    expect(Math.min(...xs)).toBe(1);
    expect(Math.max(...xs)).toBe(20);
    expect(xs.every(Number.isInteger)).toBe(true);
    expect(d.contains(20)).toBe(true);
    expect(d.contains(21)).toBe(false);
    expect(d.contains(2.5)).toBe(false);
    expect(d.size).toBe(20);
  });

  it('lograndint favours small values and reaches both bounds', () => {
    const d = new IntDomain({ low: 50, high: 1000, log: true }, 'max_tokens');
    const rng = createRng(5);
    const xs = Array.from({ length: 20000 }, () => d.sample(rng));
    expect(Math.min(...xs)).toBe(50);
    expect(Math.max(...xs)).toBe(1000);
    // uniform median would be ~525; log-uniform ~ sqrt(50 * 1001) ~ 224
    expect(median(xs)).toBeGreaterThan(190);
    expect(median(xs)).toBeLessThan(260);
  });

  it('round-trips every integer through the unit interval', () => {
    for (const d of [new IntDomain({ low: 1, high: 20 }), new IntDomain({ low: 50, high: 1000, log: true })]) {
      for (let k = d.low; k <= d.high; k++) {
        const u = d.toUnit(k);
        expect(u).toBeGreaterThan(0);
        expect(u).toBeLessThan(1);
        expect(d.fromUnit(u)).toBe(k);
      }
      expect(d.fromUnit(0)).toBe(d.low);
      expect(d.fromUnit(1)).toBe(d.high);
    }
  });

  it('states the broken invariant and the values', () => {
    expect(() => new IntDomain({ low: 500, high: 50 }, 'max_tokens')).toThrow('`max_tokens`: low <= high must hold, got low=500, high=50');
    expect(() => new IntDomain({ low: 0, high: 10, log: true }, 'max_tokens')).toThrow('`max_tokens`: low >= 1 for lograndint must hold, got low=0');
    expect(() => new IntDomain({ low: 1.5, high: 10 }, 'n')).toThrow('`n`: integer low and high must hold, got low=1.5, high=10');
    try {
      new IntDomain({ low: 500, high: 50 }, 'max_tokens');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).hint).toBe('swap the two bounds');
    }
  });
});

describe('ChoiceDomain, ConstDomain and SubSpace', () => {
  it('samples every option and finds options structurally', () => {
    const d = new ChoiceDomain([null, '\n\n', ['a', 'b']], 'stop');
    const rng = createRng(6);
    const idx = new Set(Array.from({ length: 300 }, () => d.sampleIndex(rng)));
    expect(idx).toEqual(new Set([0, 1, 2]));
    expect(d.indexOf(['a', 'b'])).toBe(2);
    expect(d.contains(null)).toBe(true);
    expect(d.contains('x')).toBe(false);
    expect(Object.isFrozen(d.options[2])).toBe(true);
  });

  it('copies and freezes options so callers cannot mutate them', () => {
    const opts = [{ type: 'json_object' }];
    const d = new ChoiceDomain(opts);
    opts[0]!.type = 'text';
    expect(d.options[0]).toEqual({ type: 'json_object' });
  });

  it('refuses an empty choice and a mix of sub-spaces and values', () => {
    expect(() => new ChoiceDomain([], 'model')).toThrow('`model`: at least one option in a choice must hold, got []');
    const sub = new SubSpace({ temperature: new FloatDomain({ low: 0, high: 2 }) });
    expect(() => new ChoiceDomain([sub, 1], 'x')).toThrow(/all options sub-spaces or none/);
  });

  it('a choice of sub-spaces contains the flat configs of its options', () => {
    const d = new ChoiceDomain([
      new SubSpace({ temperature: new FloatDomain({ low: 0, high: 2 }) }),
      new SubSpace({ top_p: new FloatDomain({ low: 0, high: 1 }) }),
    ]);
    expect(d.hasSubspaces).toBe(true);
    expect(d.indexOf({ model: 'gpt-4', top_p: 0.5 })).toBe(1);
    expect(d.indexOf({ temperature: 1.5 })).toBe(0);
    expect(d.contains({ temperature: 3 })).toBe(false);
    expect(d.toJSON()).toEqual({ choice: [{ temperature: { uniform: [0, 2] } }, { top_p: { uniform: [0, 1] } }] });
  });

  it('ConstDomain holds a frozen copy and compares structurally', () => {
    const msgs = [{ role: 'user', content: '{q}' }];
    const c = new ConstDomain(msgs);
    expect(c.contains([{ content: '{q}', role: 'user' }])).toBe(true);
    expect(c.sample(createRng(1))).toEqual(msgs);
    expect(Object.isFrozen(c.value)).toBe(true);
    expect(() => new ConstDomain(undefined, 'x')).toThrow('`x`: a defined constant must hold, got undefined');
  });

  it('type guards tell domains apart', () => {
    expect(isDomain(new ConstDomain(1))).toBe(true);
    expect(isDomain({ const: 1 })).toBe(false);
    expect(isNumericDomain(new IntDomain({ low: 1, high: 2 }))).toBe(true);
    expect(isNumericDomain(new ChoiceDomain([1]))).toBe(false);
  });
});
