import { ConfigError } from '../../src/errors.js';
import { ChoiceDomain, ConstDomain, FloatDomain, IntDomain } from '../../src/space/domains.js';
import { parseSearchSpace } from '../../src/space/parse-space.js';
import { createRng } from '../../src/space/rng.js';
import { SearchSpace } from '../../src/space/search-space.js';
import { EXAMPLE, errorOf, parseYamlSpace } from './yaml-helper.js';

const { space } = parseYamlSpace(EXAMPLE);

describe('SearchSpace sampling', () => {
  it('is deterministic by seed', () => {
    const seq = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 20 }, () => space.sample(rng));
    };
    expect(seq(41)).toEqual(seq(41));
    expect(seq(41)).not.toEqual(seq(42));
  });

  it('samplePoint gives canonical points that decode to in-space configs', () => {
    const rng = createRng(7);
    for (let i = 0; i < 200; i++) {
      const p = space.samplePoint(rng);
      expect(space.encode(space.decode(p))).toEqual(p);
      expect(Object.values(p.unit).every((u) => u >= 0 && u <= 1)).toBe(true);
      expect(Object.isFrozen(p)).toBe(true);
    }
  });

  it('the docs example runs', () => {
    const s = new SearchSpace({
      model: new ConstDomain('gpt-4'),
      temperature: new FloatDomain({ low: 0, high: 2 }),
      n: new IntDomain({ low: 1, high: 5 }),
    });
    const config = s.sample(createRng(41));
    expect(s.decode(s.encode(config))).toEqual(config);
    expect(Object.keys(config)).toEqual(['model', 'temperature', 'n']);
  });
});

describe('Point encoding', () => {
  const config = { model: 'gpt-4', prompt: '{problem} Think step by step.', top_p: 0.25, max_tokens: 300, n: 5, stop: null };

  it('encodes choices as option indices and numbers as unit positions of active dims only', () => {
    const p = space.encode(config);
    expect(p.choices).toEqual({ model: 1, prompt: 1, temperature_or_top_p: 1, stop: 0 });
    expect(Object.keys(p.unit).sort()).toEqual(['max_tokens', 'n', 'temperature_or_top_p.1.top_p']);
    expect(p.unit['temperature_or_top_p.1.top_p']).toBeCloseTo(0.25);
    expect(space.decode(p)).toEqual(config);
  });

  it('lists active and numeric dimensions at a point', () => {
    const p = space.encode(config);
    expect(space.activeDims(p).map((d) => d.key)).toEqual([
      'model',
      'prompt',
      'temperature_or_top_p',
      'temperature_or_top_p.1.top_p',
      'max_tokens',
      'n',
      'stop',
    ]);
    expect(space.numericDims(p).map((d) => d.key)).toEqual(['temperature_or_top_p.1.top_p', 'max_tokens', 'n']);
  });

  it('normalises a point: inactive coordinates dropped, numbers snapped', () => {
    const p = space.encode(config);
    const messy = { choices: { ...p.choices }, unit: { ...p.unit, 'temperature_or_top_p.0.temperature': 0.3 } };
    expect(space.encode(messy)).toEqual(p);
    expect(space.decode(messy)).toEqual(config);
  });

  it('completePoint fills the coordinates a switched choice needs', () => {
    const p = space.encode(config);
    const switched = { choices: { ...p.choices, temperature_or_top_p: 0 }, unit: p.unit };
    expect(() => space.decode(switched)).toThrow('point has no coordinate for the active dimension "temperature_or_top_p.0.temperature"');
    const done = space.completePoint(switched, createRng(1));
    const c = space.decode(done);
    expect(c).toHaveProperty('temperature');
    expect(c).not.toHaveProperty('top_p');
    expect(c['max_tokens']).toBe(300);
    expect(() => space.decode({ choices: { ...p.choices, model: 5 }, unit: p.unit })).toThrow(/has 2 options, got index 5/);
  });

  it('refuses configs outside the space with a ConfigError naming the key', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...config, model: 'gpt-5' }, '`model` = "gpt-5" is not one of the options ["gpt-3.5-turbo","gpt-4"]'],
      [{ ...config, n: 50 }, '`n` = 50 is outside {"randint":[1,20]}'],
      [{ ...config, extra: 1 }, '`extra` not part of the search space'],
      // Both set: option 0 (temperature) matches first, so top_p is the extra key.
      [{ ...config, temperature: 1 }, '`top_p` not part of the search space'],
    ];
    for (const [bad, reason] of cases) {
      const err = errorOf(() => space.encode(bad));
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.message).toBe(`config is not in the search space: ${reason}`);
      expect(space.contains(bad)).toBe(false);
    }
    const { top_p: _omit, ...noGroup } = config;
    expect(errorOf(() => space.encode(noGroup)).message).toBe(
      'config is not in the search space: no option of `temperature_or_top_p` matches (option 0: `temperature` is missing; option 1: `top_p` is missing)',
    );
  });
});

describe('SearchSpace.key', () => {
  it('is independent of key order and stable across calls', () => {
    const a = { model: 'gpt-4', temperature: 0.7, n: 3, stop: null };
    const b = { stop: null, n: 3, temperature: 0.7, model: 'gpt-4' };
    expect(space.key(a)).toBe(space.key(b));
    expect(space.key(a)).toBe('{"model":"gpt-4","n":3,"stop":null,"temperature":0.7}');
  });

  it('rounds floats to 4 significant digits and keeps integers exact', () => {
    expect(space.key({ temperature: 0.70001 })).toBe(space.key({ temperature: 0.7 }));
    expect(space.key({ temperature: 0.7002 })).not.toBe(space.key({ temperature: 0.7 }));
    expect(space.key({ max_tokens: 123457 })).not.toBe(space.key({ max_tokens: 123456 }));
    expect(space.key({ top_p: -0 })).toBe(space.key({ top_p: 0 }));
  });

  it('dedupes sampled configs that decode from nearby unit positions', () => {
    const t = new SearchSpace({ temperature: new FloatDomain({ low: 0, high: 2 }) });
    const c1 = t.decode({ choices: {}, unit: { temperature: 0.35 } });
    const c2 = t.decode({ choices: {}, unit: { temperature: 0.3500001 } });
    expect(c1).toEqual({ temperature: 0.7 });
    expect(t.key(c1)).toBe(t.key(c2));
  });
});

describe('SearchSpace queries', () => {
  it('isConstant, domainOf, choicesOf', () => {
    const s = parseSearchSpace({ model: 'gpt-4', stop: [null, '#'], n: [1] }).space;
    expect(s.isConstant('model')).toBe(true);
    expect(s.isConstant('n')).toBe(true);
    expect(s.isConstant('stop')).toBe(false);
    expect(s.isConstant('temperature')).toBe(false); // only inside temperature_or_top_p
    expect(s.domainOf('stop')).toBeInstanceOf(ChoiceDomain);
    expect(s.choicesOf('model')).toEqual(['gpt-4']);
    expect(s.choicesOf('absent')).toBeUndefined();
    expect(s.choicesOf('temperature_or_top_p')).toHaveLength(2);
  });

  it('cardinality counts finite spaces and is Infinity with continuous dims', () => {
    expect(space.cardinality()).toBe(Infinity);
    const small = parseSearchSpace(
      { model: ['a', 'b'], n: { randint: [1, 3] }, top_p: { quniform: [0, 1, 0.5] }, stop: [null, 'x', 'x'], prompt: 'p' },
      { defaults: false },
    ).space;
    expect(small.cardinality()).toBe(2 * 3 * 3 * 2);
    const grouped = parseSearchSpace({ temperature_or_top_p: [{ temperature: [0, 1] }, { top_p: 1 }] }, { defaults: false }).space;
    expect(grouped.cardinality()).toBe(3);
  });

  it('is immutable', () => {
    expect(Object.isFrozen(space)).toBe(true);
    expect(Object.isFrozen(space.dimensions)).toBe(true);
    expect(Object.isFrozen(space.entries)).toBe(true);
    expect(Object.isFrozen(space.dimensions[0])).toBe(true);
  });
});
