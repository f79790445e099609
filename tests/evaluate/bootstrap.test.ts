import { bootstrapCI, bootstrapMetrics } from '../../src/evaluate/bootstrap.js';
import { MetricAccumulator } from '../../src/evaluate/metric-accumulator.js';
import { mulberry32 } from './helpers.js';

/** n Bernoulli(p) draws from a seeded generator. */
function bernoulli(n: number, p: number, seed: number): Float64Array {
  const rng = mulberry32(seed);
  return Float64Array.from({ length: n }, () => (rng() < p ? 1 : 0));
}

describe('bootstrapCI', () => {
  it('contains the true mean of the population a seeded sample was drawn from', () => {
    const sample = bernoulli(400, 0.7, 11);
    const ci = bootstrapCI(sample, 'avg', { rng: mulberry32(1) });
    expect(ci.method).toBe('percentile-bootstrap');
    expect(ci.low).toBeLessThan(0.7);
    expect(ci.high).toBeGreaterThan(0.7);
    expect(ci.low).toBeLessThanOrEqual(ci.estimate);
    expect(ci.high).toBeGreaterThanOrEqual(ci.estimate);
    // width ≈ 2 · 1.96 · sqrt(p(1−p)/n) ≈ 0.09
    expect(ci.high - ci.low).toBeGreaterThan(0.06);
    expect(ci.high - ci.low).toBeLessThan(0.12);
  });

  it('covers the true mean in about 95% of repeated seeded experiments', () => {
    let covered = 0;
    for (let trial = 0; trial < 200; trial++) {
      const ci = bootstrapCI(bernoulli(100, 0.3, 1000 + trial), 'avg', { rng: mulberry32(trial), resamples: 200 });
      if (ci.low <= 0.3 && 0.3 <= ci.high) covered++;
    }
    console.log(`bootstrap coverage of the true mean: ${covered}/200 seeded experiments`);
    expect(covered / 200).toBeGreaterThan(0.88);
    expect(covered / 200).toBeLessThan(0.99);
  });

  it('is deterministic given the seed, and differs across seeds', () => {
    const sample = bernoulli(300, 0.5, 3);
    const a = bootstrapCI(sample, 'median', { rng: mulberry32(42) });
    const b = bootstrapCI(sample, 'median', { rng: mulberry32(42) });
    expect(a).toEqual(b);
    const values = Float64Array.from({ length: 300 }, (_, i) => (i * 7919) % 101);
    const c = bootstrapCI(values, 'avg', { rng: mulberry32(1) });
    const d = bootstrapCI(values, 'avg', { rng: mulberry32(2) });
    expect(c.low).not.toBe(d.low);
  });

  it('works for every aggregation method, including custom functions', () => {
    const values = Float64Array.from({ length: 101 }, (_, i) => i); // 0..100
    for (const method of ['avg', 'average', 'median', 'min', 'max', 'sum'] as const) {
      const ci = bootstrapCI(values, method, { rng: mulberry32(5), resamples: 300 });
      expect(ci.low).toBeLessThanOrEqual(ci.high);
      expect(Number.isFinite(ci.low)).toBe(true);
    }
    expect(bootstrapCI(values, 'median', { rng: mulberry32(5) })).toMatchObject({ estimate: 50 });
    expect(bootstrapCI(values, 'sum', { rng: mulberry32(5) }).estimate).toBe(5050);
    const max = bootstrapCI(values, 'max', { rng: mulberry32(5) });
    expect(max.high).toBe(100);
    expect(max.low).toBeGreaterThanOrEqual(95);
    const min = bootstrapCI(values, 'min', { rng: mulberry32(5) });
    expect(min.low).toBe(0);
    const range = bootstrapCI(values, (v) => Math.max(...v) - Math.min(...v), { rng: mulberry32(5), resamples: 200 });
    expect(range.estimate).toBe(100);
    expect(range.high).toBe(100);
  });

  it('median and min/max via counted ranks equal sorting each resample (same seed → same resamples)', () => {
    const values = Float64Array.from({ length: 50 }, (_, i) => ((i * 37) % 50) / 7);
    const fast = bootstrapCI(values, 'median', { rng: mulberry32(9), resamples: 200 });
    const slow = bootstrapCI(values, (v) => {
      const s = [...v].sort((x, y) => x - y);
      const m = s.length >> 1;
      return s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
    }, { rng: mulberry32(9), resamples: 200 });
    // the same draws are made in the same order, so the intervals agree exactly
    expect(fast.low).toBeCloseTo(slow.low, 12);
    expect(fast.high).toBeCloseTo(slow.high, 12);
    const fastMin = bootstrapCI(values, 'min', { rng: mulberry32(4), resamples: 100 });
    const slowMin = bootstrapCI(values, (v) => Math.min(...v), { rng: mulberry32(4), resamples: 100 });
    expect([fastMin.low, fastMin.high]).toEqual([slowMin.low, slowMin.high]);
    const even = Float64Array.from({ length: 40 }, (_, i) => (i * 13) % 40);
    const fastEven = bootstrapCI(even, 'median', { rng: mulberry32(8), resamples: 100 });
    const slowEven = bootstrapCI(even, (v) => {
      const s = [...v].sort((x, y) => x - y);
      return ((s[19] ?? NaN) + (s[20] ?? NaN)) / 2;
    }, { rng: mulberry32(8), resamples: 100 });
    expect([fastEven.low, fastEven.high]).toEqual([slowEven.low, slowEven.high]);
  });

  it('edge cases: no values, one value, bad settings', () => {
    expect(bootstrapCI([], 'avg', { rng: mulberry32(1) })).toMatchObject({ method: 'none', n: 0 });
    expect(bootstrapCI([0.4], 'avg', { rng: mulberry32(1) })).toMatchObject({ estimate: 0.4, low: 0.4, high: 0.4 });
    expect(() => bootstrapCI([1], 'avg', { rng: mulberry32(1), resamples: 0 })).toThrow(RangeError);
    expect(() => bootstrapCI([1], 'avg', { rng: mulberry32(1), confidence: 95 })).toThrow(RangeError);
  });

  it('100k instances: avg uses the normal approximation, which agrees with resampling', () => {
    const sample = bernoulli(100_000, 0.62, 21);
    const started = performance.now();
    const normal = bootstrapCI(sample, 'avg', { rng: mulberry32(1) });
    const normalMs = performance.now() - started;
    expect(normal.method).toBe('normal');
    expect(normal.low).toBeLessThan(0.62);
    expect(normal.high).toBeGreaterThan(0.62);
    // Resampling 100k values is ~0.6 s for B = 1000 under plain Node, but jest's VM context makes
    // each rng call ~30× slower, so compare against a smaller B here.
    const resampled = bootstrapCI(sample, 'avg', { rng: mulberry32(1), normalAbove: Infinity, resamples: 40 });
    expect(resampled.method).toBe('percentile-bootstrap');
    expect(Math.abs(normal.low - resampled.low)).toBeLessThan(0.0015);
    expect(Math.abs(normal.high - resampled.high)).toBeLessThan(0.0015);
    console.log(`bootstrap n=100k avg: normal ${normalMs.toFixed(1)} ms [${normal.low.toFixed(4)}, ${normal.high.toFixed(4)}], `
      + `resampled B=40 [${resampled.low.toFixed(4)}, ${resampled.high.toFixed(4)}]`);
  });

  it('sum also switches to the normal approximation; other methods always resample', () => {
    const sample = bernoulli(60_000, 0.5, 2);
    expect(bootstrapCI(sample, 'sum', { rng: mulberry32(1) }).method).toBe('normal');
    expect(bootstrapCI(sample, 'max', { rng: mulberry32(1), resamples: 2 }).method).toBe('percentile-bootstrap');
    expect(bootstrapCI(bernoulli(100, 0.5, 2), 'avg', { rng: mulberry32(1), normalAbove: 50 }).method).toBe('normal');
  });
});

describe('bootstrapMetrics', () => {
  it('one interval per metric with the aggregation map (missing → avg)', () => {
    const acc = new MetricAccumulator();
    const rng = mulberry32(77);
    for (let i = 0; i < 500; i++) acc.add({ success: rng() < 0.4 ? 1 : 0, votes: 1 + Math.floor(rng() * 5) });
    const cis = bootstrapMetrics(acc, { votes: 'median' }, { rng: mulberry32(3) });
    expect(Object.keys(cis)).toEqual(['success', 'votes']);
    expect(cis['success']?.low).toBeLessThan(0.4);
    expect(cis['success']?.high).toBeGreaterThan(0.4);
    expect(cis['votes']?.estimate).toBe(acc.finish({ votes: 'median' }).metrics['votes']);
    expect(bootstrapMetrics(acc, { votes: 'median' }, { rng: mulberry32(3) })).toEqual(cis);
  });
});
