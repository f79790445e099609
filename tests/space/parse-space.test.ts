import { ChoiceDomain, ConstDomain, FloatDomain, IntDomain, SubSpace } from '../../src/space/domains.js';
import { applyDefaults, DEFAULT_SEARCH_SPACE } from '../../src/space/defaults.js';
import { parseSearchSpace } from '../../src/space/parse-space.js';
import { createRng } from '../../src/space/rng.js';
import { EXAMPLE, parseYamlSpace } from './yaml-helper.js';


describe('parseSearchSpace: the full example', () => {
  const { space, warnings, defaultsApplied } = parseYamlSpace(EXAMPLE);

  it('parses every dimension, flat and depth-first, with conditions on sub-space dims', () => {
    expect(warnings).toEqual([]);
    expect(defaultsApplied).toEqual([]);
    expect(space.dimensions.map((d) => d.key)).toEqual([
      'model',
      'prompt',
      'temperature_or_top_p',
      'temperature_or_top_p.0.temperature',
      'temperature_or_top_p.1.top_p',
      'max_tokens',
      'n',
      'stop',
    ]);
    const temp = space.dimension('temperature_or_top_p.0.temperature');
    expect(temp?.path).toEqual(['temperature_or_top_p', '0', 'temperature']);
    expect(temp?.name).toBe('temperature');
    expect(temp?.condition).toEqual({ choicePath: ['temperature_or_top_p'], optionIndex: 0 });
    expect(space.dimension('model')?.condition).toBeUndefined();
  });

  it('builds the right domains', () => {
    expect(space.domainOf('model')).toEqual(new ChoiceDomain(['gpt-3.5-turbo', 'gpt-4']));
    expect(space.domainOf('max_tokens')).toEqual(new IntDomain({ low: 50, high: 1000, log: true }));
    expect(space.domainOf('n')).toEqual(new IntDomain({ low: 1, high: 20 }));
    expect(space.domainOf('temperature')).toEqual(new FloatDomain({ low: 0, high: 2 }));
    expect(space.choicesOf('stop')).toEqual([null, '\n\n']);
    expect(space.choicesOf('model')).toEqual(['gpt-3.5-turbo', 'gpt-4']);
    expect(space.choicesOf('n')).toBeUndefined();
    const group = space.domainOf('temperature_or_top_p') as ChoiceDomain;
    expect(group.hasSubspaces).toBe(true);
    expect(group.options[1]).toBeInstanceOf(SubSpace);
    expect(space.isConstant('model')).toBe(false);
    expect(space.isConstant('nope')).toBe(false);
  });

  it('samples flat configs: exactly one of temperature / top_p, ints in range', () => {
    const rng = createRng(41);
    let sawTemperature = false;
    let sawTopP = false;
    for (let i = 0; i < 300; i++) {
      const c = space.sample(rng);
      expect(Object.isFrozen(c)).toBe(true);
      expect(c).not.toHaveProperty('temperature_or_top_p');
      expect('temperature' in c !== 'top_p' in c).toBe(true);
      sawTemperature ||= 'temperature' in c;
      sawTopP ||= 'top_p' in c;
      expect(['gpt-3.5-turbo', 'gpt-4']).toContain(c['model']);
      expect(c['max_tokens']).toBeGreaterThanOrEqual(50);
      expect(c['max_tokens']).toBeLessThanOrEqual(1000);
      expect(c['n']).toBeGreaterThanOrEqual(1);
      expect(c['n']).toBeLessThanOrEqual(20);
      expect([null, '\n\n']).toContain(c['stop']);
      expect(space.contains(c)).toBe(true);
    }
    expect(sawTemperature && sawTopP).toBe(true);
  });

  it('lists the prompt templates', () => {
    expect(space.templates()).toEqual(['{problem} Answer with just the number.', '{problem} Think step by step.']);
  });

  it('serialises back to an equivalent space', () => {
    const again = parseSearchSpace(space.toJSON()).space;
    expect(again.toJSON()).toEqual(space.toJSON());
    expect(again.sample(createRng(1))).toEqual(space.sample(createRng(1)));
  });
});

describe('parseSearchSpace: value syntax', () => {
  it('scalars are constants; {const} holds lists and objects', () => {
    const { space } = parseSearchSpace({
      model: 'gpt-4',
      temperature: 0,
      stop: { const: ['\n', '###'] },
      response_format: { type: 'json_object' },
      logit_bias: { const: { '50256': -100 } },
      user: 'me',
    });
    expect(space.isConstant('model')).toBe(true);
    expect(space.domainOf('stop')).toEqual(new ConstDomain(['\n', '###']));
    expect(space.domainOf('response_format')).toEqual(new ConstDomain({ type: 'json_object' }));
    const c = space.sample(createRng(1));
    expect(c).toMatchObject({ model: 'gpt-4', temperature: 0, stop: ['\n', '###'], logit_bias: { '50256': -100 }, user: 'me' });
  });

  it('messages: one message list is a constant, a list of lists is a choice', () => {
    const one = [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: '{question}' }];
    const two = [{ role: 'user', content: [{ type: 'text', text: 'Q: {question}' }] }];
    const constant = parseSearchSpace({ model: 'gpt-4', messages: one }).space;
    expect(constant.isConstant('messages')).toBe(true);
    expect(constant.domainOf('prompt')).toBeUndefined();
    expect(constant.templates()).toEqual(['Be brief.', '{question}']);
    const choice = parseSearchSpace({ model: 'gpt-4', messages: [one, two] }).space;
    expect(choice.choicesOf('messages')).toEqual([one, two]);
    expect(choice.templates()).toEqual(['Be brief.', '{question}', 'Q: {question}']);
    expect(parseSearchSpace({ model: 'gpt-4', messages: { choice: [one, two] } }).space.toJSON()).toEqual(choice.toJSON());
  });

  it('stop options may be null, a string or a list of strings', () => {
    const { space } = parseSearchSpace({ model: 'm', stop: [null, '###', ['\nclass', '\ndef']] });
    expect(space.choicesOf('stop')).toEqual([null, '###', ['\nclass', '\ndef']]);
  });

  it('temperature_or_top_p also takes {choice: [...]} or a single sub-space', () => {
    const a = parseSearchSpace({ temperature_or_top_p: { choice: [{ temperature: 0 }, { top_p: { uniform: [0.5, 1] } }] } }).space;
    expect(a.dimensions.map((d) => d.key)).toContain('temperature_or_top_p.1.top_p');
    const b = parseSearchSpace({ temperature_or_top_p: { temperature: { uniform: [0, 1] } } }).space;
    const c = b.sample(createRng(2));
    expect(c['temperature']).toBeGreaterThanOrEqual(0);
    expect(c).not.toHaveProperty('top_p');
  });

  it('a hierarchical model choice flattens per-model sub-spaces', () => {
    const { space } = parseSearchSpace({
      model: [
        { model: 'gpt-4', n: { randint: [1, 3] }, temperature_or_top_p: [{ temperature: 0 }, { top_p: 0.9 }] },
        { model: 'gpt-3.5-turbo', n: { randint: [10, 20] }, temperature: { uniform: [0, 1] } },
      ],
      max_tokens: 100,
    });
    expect(space.choicesOf('model')).toEqual(['gpt-4', 'gpt-3.5-turbo']);
    expect(space.dimension('model.0.temperature_or_top_p.1.top_p')?.condition).toEqual({
      choicePath: ['model', '0', 'temperature_or_top_p'],
      optionIndex: 1,
    });
    const rng = createRng(3);
    for (let i = 0; i < 100; i++) {
      const c = space.sample(rng);
      const n = c['n'] as number;
      if (c['model'] === 'gpt-4') expect(n).toBeLessThanOrEqual(3);
      else expect(n).toBeGreaterThanOrEqual(10);
      expect(space.decode(space.encode(c))).toEqual(c);
    }
  });

  it('warns when temperature and top_p are both searched at the top level', () => {
    const { warnings } = parseYamlSpace(`search_space:
  model: gpt-4
  temperature: {uniform: [0, 1]}
  top_p: {uniform: [0.5, 1]}
`);
    expect(warnings).toEqual([
      'tune.yaml:4: search_space.top_p: temperature and top_p are not recommended to vary together; search one of them, or use temperature_or_top_p',
    ]);
    expect(parseSearchSpace({ model: 'm', temperature: 0, top_p: 1 }).warnings).toEqual([]);
  });
});

describe('defaults', () => {
  it('fills in the original default space, reporting what it applied', () => {
    const { space, defaultsApplied } = parseSearchSpace({ model: 'gpt-4' });
    expect(defaultsApplied).toEqual(['temperature_or_top_p', 'max_tokens', 'n', 'prompt']);
    expect(space.domainOf('max_tokens')).toEqual(new IntDomain({ low: 50, high: 1000, log: true }));
    expect(space.domainOf('n')).toEqual(new IntDomain({ low: 1, high: 100 }));
    expect(space.domainOf('prompt')).toEqual(new ConstDomain('{prompt}'));
    expect(space.toJSON()['temperature_or_top_p']).toEqual({
      choice: [{ temperature: { uniform: [0, 2] } }, { top_p: { uniform: [0, 1] } }],
    });
    expect(Object.isFrozen(DEFAULT_SEARCH_SPACE['temperature_or_top_p'])).toBe(true);
  });

  it('applies only what is missing', () => {
    expect(applyDefaults({ temperature: 0, messages: [{ role: 'user', content: 'x' }] }).applied).toEqual(['max_tokens', 'n']);
    expect(applyDefaults({ top_p: 1, prompt: 'x', n: 1, max_tokens: 5 }).applied).toEqual([]);
    expect(applyDefaults({ model: [{ model: 'a', temperature: 0, max_tokens: 9 }] }).applied).toEqual(['n', 'prompt']);
    expect(applyDefaults(null).applied).toHaveLength(4);
    const input = { model: 'gpt-4' };
    applyDefaults(input);
    expect(input).toEqual({ model: 'gpt-4' });
  });

  it('can be turned off', () => {
    const { space, defaultsApplied } = parseSearchSpace({ model: 'gpt-4' }, { defaults: false });
    expect(defaultsApplied).toEqual([]);
    expect(space.dimensions.map((d) => d.name)).toEqual(['model']);
  });
});
