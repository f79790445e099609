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
    expect(BUILTIN_PRICES['gpt-4o-mini']).toEqual([0.00015, 0.0006]);
  });

  it('prices dated snapshots like their family, and lets config and endpoint prices override', () => {
    expect(resolvePrice('gpt-4o-2024-08-06')).toMatchObject({ price: [0.0025, 0.01], source: 'builtin', matched: 'gpt-4o' });
    expect(resolvePrice('gpt-4o-mini-2024-07-18')?.matched).toBe('gpt-4o-mini');
    expect(resolvePrice('gpt-4', { 'gpt-4': [1, 2] })).toMatchObject({ price: [1, 2], source: 'config' });
    expect(resolvePrice('gpt-4', { 'gpt-4': [1, 2] }, [3, 4])).toMatchObject({ price: [3, 4], source: 'endpoint' });
    expect(resolvePrice('my-local-llama')).toBeUndefined();
  });

  it('computes USD per 1K prompt and completion tokens', () => {
    expect(costOf({ prompt_tokens: 1000, completion_tokens: 500 }, [0.03, 0.06])).toBeCloseTo(0.06, 12);
  });
});
