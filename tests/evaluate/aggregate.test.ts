import { ConfigError } from '../../src/errors.js';
import { aggregateMetrics } from '../../src/evaluate/aggregate.js';
import { AGGREGATOR_NAMES, resolveAggregation } from '../../src/evaluate/aggregators.js';
import { FloatBuffer } from '../../src/evaluate/float-buffer.js';
import { loadAggregator } from '../../src/evaluate/load-aggregator.js';
import { MetricAccumulator } from '../../src/evaluate/metric-accumulator.js';
import { FIXTURES } from './helpers.js';

const RESULTS: Array<Record<string, number> | null> = [
  { success: 1, votes: 3 },
  { success: 0, votes: 1 },
  null, // failed evaluation
  { success: 1, votes: 5 },
  { success: 1, votes: 2, extra: 7 },
];

describe('aggregateMetrics', () => {
  it.each([
    ['avg', { success: 0.75, votes: 2.75, extra: 7 }],
    ['average', { success: 0.75, votes: 2.75, extra: 7 }],
    ['median', { success: 1, votes: 2.5, extra: 7 }],
    ['min', { success: 0, votes: 1, extra: 7 }],
    ['max', { success: 1, votes: 5, extra: 7 }],
    ['sum', { success: 3, votes: 11, extra: 7 }],
  ] as const)('%s', (method, expected) => {
    expect(aggregateMetrics(RESULTS, method)).toEqual({
      metrics: expected, instances: 4, failed: 1, counts: { success: 4, votes: 4, extra: 1 },
    });
  });

  it('defaults to avg; median of an odd count is the middle value', () => {
    expect(aggregateMetrics([{ a: 3 }, { a: 1 }, { a: 2 }]).metrics).toEqual({ a: 2 });
    expect(aggregateMetrics([{ a: 3 }, { a: 1 }, { a: 2 }], 'median').metrics).toEqual({ a: 2 });
    expect(AGGREGATOR_NAMES).toEqual(['avg', 'average', 'median', 'min', 'max', 'sum']);
  });

  it('a custom function applies to every metric and receives a plain array', () => {
    const seen: unknown[] = [];
    const r = aggregateMetrics(RESULTS, (values) => { seen.push(values); return Math.max(...values) - Math.min(...values); });
    expect(r.metrics).toEqual({ success: 1, votes: 4, extra: 0 });
    expect(Array.isArray(seen[0])).toBe(true);
  });

  it('a map: named and function entries; metrics missing from the map use avg', () => {
    const r = aggregateMetrics(RESULTS, { success: 'median', votes: (v) => v.length });
    expect(r.metrics).toEqual({ success: 1, votes: 4, extra: 7 });
  });

  it('no instances, or all failed: no metrics', () => {
    expect(aggregateMetrics([])).toEqual({ metrics: {}, instances: 0, failed: 0, counts: {} });
    expect(aggregateMetrics([null, null])).toEqual({ metrics: {}, instances: 0, failed: 2, counts: {} });
  });

  it('bad methods are ConfigErrors', () => {
    expect(() => aggregateMetrics(RESULTS, 'mean' as never)).toThrow(ConfigError);
    expect(() => aggregateMetrics(RESULTS, 'mean' as never)).toThrow(/unknown aggregation: "mean"/);
    expect(() => aggregateMetrics(RESULTS, { success: 'mode' } as never)).toThrow(/unknown aggregation for metric 'success': "mode"/);
    expect(() => aggregateMetrics(RESULTS, { success: 3 } as never)).toThrow(ConfigError);
    expect(() => aggregateMetrics(RESULTS, [] as never)).toThrow(/aggregation must be one of/);
    expect(() => aggregateMetrics(RESULTS, () => Number.NaN)).toThrow(/returned NaN/);
  });

  it('resolveAggregation validates once and looks up per metric', () => {
    const lookup = resolveAggregation({ a: 'max' }, { file: 'tune.yaml', field: 'agg' });
    expect(lookup('a')(new Float64Array([1, 4]))).toBe(4);
    expect(lookup('b')(new Float64Array([1, 4]))).toBe(2.5);
    expect(() => resolveAggregation('nope' as never, { file: 'tune.yaml', field: 'agg' })).toThrow(expect.objectContaining({ field: 'agg', file: 'tune.yaml' }) as unknown as Error);
  });
});

describe('MetricAccumulator', () => {
  it('streams instances and can finish repeatedly', () => {
    const acc = new MetricAccumulator();
    acc.add({ s: 1 });
    acc.addOutcome({ ok: false, error: 'instance 1: boom' });
    acc.addOutcome({ ok: true, metrics: { s: 0 } });
    expect(acc.finish()).toEqual({ metrics: { s: 0.5 }, instances: 2, failed: 1, counts: { s: 2 } });
    acc.add({ s: 1 });
    expect(acc.finish('sum').metrics).toEqual({ s: 2 });
    expect(acc.metricNames()).toEqual(['s']);
    expect(Array.from(acc.values('s'))).toEqual([1, 0, 1]);
    expect(acc.values('missing')).toHaveLength(0);
  });

  it('rejects non-finite values that bypassed runEval', () => {
    expect(() => new MetricAccumulator().add({ s: Number.NaN })).toThrow(RangeError);
  });

  it('keeps 100k instances in Float64Arrays and aggregates them', () => {
    const acc = new MetricAccumulator();
    for (let i = 0; i < 100_000; i++) acc.add({ success: i % 4 === 0 ? 1 : 0, tokens: i });
    const r = acc.finish({ tokens: 'median' });
    expect(r.metrics).toEqual({ success: 0.25, tokens: 49_999.5 });
    expect(acc.values('tokens')).toBeInstanceOf(Float64Array);
  });

  it('FloatBuffer grows by doubling', () => {
    const buf = new FloatBuffer(1);
    for (let i = 0; i < 10; i++) buf.push(i);
    expect(buf.length).toBe(10);
    expect(Array.from(buf.view())).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('loadAggregator', () => {
  it('returns built-in names as they are', async () => {
    expect(await loadAggregator('median', FIXTURES)).toBe('median');
  });

  it('a module exporting one function', async () => {
    const method = await loadAggregator('./agg-min.mjs', FIXTURES);
    expect(aggregateMetrics(RESULTS, method).metrics).toEqual({ success: 0, votes: 1, extra: 7 });
  });

  it('a module exporting a map (functions and names; others default to avg)', async () => {
    const method = await loadAggregator('./agg-map.mjs', FIXTURES);
    expect(aggregateMetrics(RESULTS, method).metrics).toEqual({ success: 3, votes: 5, extra: 7 });
  });

  it('clear ConfigErrors: unknown name, missing file, unusable exports, bad map entries', async () => {
    await expect(loadAggregator('mean', FIXTURES)).rejects.toThrow(/unknown aggregation 'mean'/);
    await expect(loadAggregator('./missing.mjs', FIXTURES, { field: 'agg' })).rejects.toMatchObject({
      message: `aggregator module not found: ${FIXTURES}missing.mjs`, field: 'agg',
    });
    await expect(loadAggregator('./no-export.mjs', FIXTURES)).rejects.toThrow(/has no usable export: it exports options \(object: strict\), threshold \(number\)/);
    await expect(loadAggregator('./agg-bad.cjs', FIXTURES)).rejects.toThrow(/agg-bad\.cjs: unknown aggregation for metric 'success': "mode"/);
  });
});
