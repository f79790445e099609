import { BUILTIN_PRICES, costOf, extractText, extractTextOrFunctionCall, resolvePrice } from '../../src/index.js';

describe('extractText / extractTextOrFunctionCall', () => {
  const chat = {
    choices: [
      { index: 0, message: { role: 'assistant', content: 'plain answer' } },
      { index: 1, message: { role: 'assistant', content: null, function_call: { name: 'add', arguments: '{"a":1}' } } },
      { index: 2, message: { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'sub', arguments: '{}' } }] } },
      { index: 3, message: { role: 'assistant' } },
    ],
  };

  it('gives the text of each choice, empty for a call', () => {
    expect(extractText(chat)).toEqual(['plain answer', '', '', '']);
    expect(extractText({ choices: [{ index: 0, text: 'legacy' }] })).toEqual(['legacy']);
  });

  it('gives the whole message for a function or tool call', () => {
    const out = extractTextOrFunctionCall(chat);
    expect(out[0]).toBe('plain answer');
    expect(out[1]).toMatchObject({ function_call: { name: 'add' } });
    expect(out[2]).toMatchObject({ tool_calls: [{ function: { name: 'sub' } }] });
    expect(out[3]).toBe('');
  });
});

describe('prices', () => {
  it('has the original legacy prices and current ones', () => {
    expect(BUILTIN_PRICES['gpt-3.5-turbo']).toEqual([0.0015, 0.002]);
    expect(BUILTIN_PRICES['gpt-4']).toEqual([0.03, 0.06]);
    expect(BUILTIN_PRICES['text-davinci-003']).toEqual([0.02, 0.02]);
    expect(BUILTIN_PRICES['gpt-4o-mini']).toEqual([0.00015, 0.0006, 0.000075]);
  });

  it('prices dated snapshots like their family, and lets config and endpoint prices override', () => {
    expect(resolvePrice('gpt-4o-2024-08-06')).toMatchObject({ price: [0.0025, 0.01, 0.00125], source: 'builtin', matched: 'gpt-4o' });
    expect(resolvePrice('gpt-4o-mini-2024-07-18')?.matched).toBe('gpt-4o-mini');
    expect(resolvePrice('gpt-4', { 'gpt-4': [1, 2] })).toMatchObject({ price: [1, 2], source: 'config' });
    expect(resolvePrice('gpt-4', { 'gpt-4': [1, 2] }, [3, 4])).toMatchObject({ price: [3, 4], source: 'endpoint' });
    expect(resolvePrice('my-local-llama')).toBeUndefined();
  });

  it('computes USD per 1K prompt and completion tokens', () => {
    expect(costOf({ prompt_tokens: 1000, completion_tokens: 500 }, [0.03, 0.06])).toBeCloseTo(0.06, 12);
  });

  it('falls back only for dated snapshots: a sibling or a misspelling has no price', () => {
    expect(resolvePrice('gpt-4-0613')?.matched).toBe('gpt-4-0613');
    expect(resolvePrice('gpt-4.1-mini-2025-04-14')?.matched).toBe('gpt-4.1-mini');
    expect(resolvePrice('gpt-4o-mini-typo')).toBeUndefined();
    expect(resolvePrice('o3-pro')?.price).toEqual([0.02, 0.08]);
    expect(resolvePrice('o3-deep-research')).toBeUndefined();
    expect(resolvePrice('gpt-5-mini-fast')).toBeUndefined();
    for (const model of ['gpt-5.1', 'gpt-5.4', 'gpt-5.4-mini', 'gpt-5.5', 'o4-mini', 'gpt-4.1-nano']) expect(resolvePrice(model)?.source).toBe('builtin');
  });

  it('finds no price on Object.prototype', () => {
    for (const model of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(resolvePrice(model)).toBeUndefined();
      expect(resolvePrice(model, { 'gpt-4': [1, 2] })).toBeUndefined();
    }
  });

  it('charges cached prompt tokens at the cached-input price, and reasoning as completion', () => {
    // gpt-5-mini: $0.25 input, $0.025 cached, $2 output per 1M; 2,000 prompt tokens of which 1,536 cached
    const usd = costOf({ prompt_tokens: 2000, completion_tokens: 700, cached_tokens: 1536 }, BUILTIN_PRICES['gpt-5-mini']!);
    expect(usd).toBeCloseTo((464 * 0.25 + 1536 * 0.025 + 700 * 2) / 1e6, 12);
    // no cached column: the input price
    expect(costOf({ prompt_tokens: 2000, completion_tokens: 0, cached_tokens: 1024 }, [0.001, 0.002])).toBeCloseTo(0.002, 12);
  });
});
