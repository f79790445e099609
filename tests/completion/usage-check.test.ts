import { countTokens as fixtureTokens } from '../../fixtures/server/index.mjs';
import { estimatePromptTokens } from '../../src/pricing/cost.js';
import { checkUsage, type UsageContext } from '../../src/completion/usage-check.js';
import { countTokens, encodingOf } from '../../src/completion/token-count.js';
import { nLimitFromMessage, requestSizes, NLimits } from '../../src/completion/n-capability.js';
import { serverMessage } from '../../src/completion/server-error.js';
import { BudgetLedger } from '../../src/budget/ledger.js';

const ctx = (over: Partial<UsageContext> = {}): UsageContext => ({
  model: 'gpt-4o-mini',
  chat: true,
  promptTexts: ['What is 6 * 7? Answer with just the number.'],
  promptBound: 200,
  maxTokens: 30,
  defaultMaxTokens: 4096,
  ...over,
});
const choice = (content: string, finish = 'stop') => ({ index: 0, message: { role: 'assistant', content }, finish_reason: finish });
const ANSWER = 'The answer is 42, since six sevens make forty-two.';

describe('usage is checked before it is charged', () => {
  it('a usage the choices agree with is taken as is', async () => {
    const u = await checkUsage({ usage: { prompt_tokens: 20, completion_tokens: 13, total_tokens: 33 }, choices: [choice(ANSWER)] }, ctx());
    expect(u).toEqual({ prompt_tokens: 20, completion_tokens: 13, cached_tokens: 0, reasoning_tokens: 0, estimated: false });
  });

  it('reads cached and reasoning tokens from the details, and takes nothing it cannot trust from them', async () => {
    const usage = (cached: unknown, reasoning: unknown) => ({
      prompt_tokens: 2000, completion_tokens: 513, total_tokens: 2513,
      prompt_tokens_details: { cached_tokens: cached }, completion_tokens_details: { reasoning_tokens: reasoning },
    });
    const ok = await checkUsage({ usage: usage(1536, 500), choices: [choice(ANSWER)] }, ctx());
    expect(ok).toMatchObject({ prompt_tokens: 2000, completion_tokens: 513, cached_tokens: 1536, reasoning_tokens: 500, estimated: false });
    // more than the whole, or not a count: none (cached tokens then cost the full input price)
    const bad = await checkUsage({ usage: usage(5000, 'n/a'), choices: [choice(ANSWER)] }, ctx());
    expect(bad).toMatchObject({ cached_tokens: 0, reasoning_tokens: 0 });
  });

  it('no usage: counted with the model tokenizer for an OpenAI model, 3 bytes a token otherwise', async () => {
    const u = await checkUsage({ choices: [choice(ANSWER), choice('42')] }, ctx());
    const { counts } = await countTokens('gpt-4o-mini', [ANSWER, '42', ctx().promptTexts[0] as string]);
    expect(u).toMatchObject({ estimated: true, problem: 'missing', completion_tokens: (counts[0] as number) + (counts[1] as number) });
    expect(u.prompt_tokens).toBe((counts[2] as number) + 4 + 3);
    expect(u.detail).toMatch(/tokenizer/);
    const local = await checkUsage({ usage: null, choices: [choice(ANSWER)] }, ctx({ model: 'llama-3.1-8b' }));
    expect(local).toMatchObject({ problem: 'missing', completion_tokens: Math.ceil(Buffer.byteLength(ANSWER) / 3) });
    expect(local.detail).toMatch(/3 bytes/);
  });

  it('a count that is not a finite non-negative integer is charged at the worst case the request allowed', async () => {
    for (const bad of ['n/a', null, -1, 1.5, '12', {}]) {
      const u = await checkUsage({ usage: { prompt_tokens: 20, completion_tokens: bad }, choices: [choice(ANSWER), choice(ANSWER)] }, ctx());
      expect(u).toMatchObject({ prompt_tokens: 20, completion_tokens: 60, estimated: true, problem: 'invalid' });
    }
    const both = await checkUsage({ usage: { prompt_tokens: 'x', completion_tokens: Number.NaN }, choices: [choice(ANSWER)] }, ctx());
    expect(both).toMatchObject({ prompt_tokens: 200, completion_tokens: 30, problem: 'invalid' });
    const noCap = await checkUsage({ usage: { prompt_tokens: 'x', completion_tokens: 5 }, choices: [choice('hi')] }, ctx({ maxTokens: undefined }));
    expect(noCap).toMatchObject({ prompt_tokens: 200, completion_tokens: 5, problem: 'invalid' });
  });

  it("usage the choices contradict (llama-server's first choice only, length stops, zeros): the larger count", async () => {
    const four = [choice(ANSWER), choice(ANSWER), choice(ANSWER), choice(ANSWER)];
    const first = await checkUsage({ usage: { prompt_tokens: 20, completion_tokens: 13 }, choices: four }, ctx());
    expect(first.problem).toBe('contradicted');
    expect(first.completion_tokens).toBeGreaterThanOrEqual(4 * 12);
    const capped = await checkUsage({ usage: { prompt_tokens: 20, completion_tokens: 30 }, choices: [choice('a b c', 'length'), choice('a b', 'length')] }, ctx());
    expect(capped).toMatchObject({ completion_tokens: 60, problem: 'contradicted' });
    const zero = await checkUsage({ usage: { prompt_tokens: 0, completion_tokens: 0 }, choices: [choice(ANSWER)] }, ctx());
    expect(zero).toMatchObject({ problem: 'contradicted', estimated: true });
    expect(zero.prompt_tokens).toBeGreaterThan(5);
    expect(zero.completion_tokens).toBeGreaterThan(5);
  });
});

describe('the prompt reservation is a bound for any UTF-8 text', () => {
  const texts: Record<string, string> = {
    emoji: '😀🙃🤖🧠🎉'.repeat(200),
    cjk: '東京都の天気は晴れです。明日は雨が降るでしょう。'.repeat(60),
    base64: Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 256)).toString('base64'),
    mixed: 'naïve café — Ωμέγα ≠ 42 ∑∫ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 '.repeat(40),
    english: "Let's think step by step about the question. ".repeat(50),
  };
  it.each(Object.keys(texts))('%s: at least the real tokenizers and the fixture server count', async (name) => {
    const text = texts[name] as string;
    const bound = estimatePromptTokens([text]);
    for (const model of ['gpt-4o', 'gpt-3.5-turbo', 'text-davinci-003', 'davinci']) {
      const { counts, method } = await countTokens(model, [text]);
      expect(method).toBe('tokenizer');
      expect(bound).toBeGreaterThanOrEqual((counts[0] as number) + 7);
    }
    expect(bound).toBeGreaterThanOrEqual(fixtureTokens(text) + 7);
  });

  it('the old third-of-the-bytes estimate fell short on token-dense text', async () => {
    const { counts } = await countTokens('gpt-4o', [texts.emoji as string]);
    expect(Math.ceil(Buffer.byteLength(texts.emoji as string) / 3) + 7).toBeLessThan(counts[0] as number);
  });

  it('OpenAI model names map to their encodings; other models have none', () => {
    expect(encodingOf('gpt-4o-mini')).toBe('o200k_base');
    expect(encodingOf('openai/gpt-4.1')).toBe('o200k_base');
    expect(encodingOf('gpt-35-turbo')).toBe('cl100k_base');
    expect(encodingOf('o3-mini')).toBe('o200k_base');
    expect(encodingOf('llama3.1:8b')).toBeUndefined();
    expect(encodingOf('qwen2.5-7b-instruct')).toBeUndefined();
  });
});

describe('n as a capability', () => {
  it('reads the n limit an error states', () => {
    expect(nLimitFromMessage("400 Field 'n': Value must be between 1 <= value <= 4, but got 10")).toBe(4);
    expect(nLimitFromMessage('500 Only one completion choice is allowed')).toBe(1);
    expect(nLimitFromMessage("400 Unsupported value: 'n' does not support 5 with this model. Only the default (1) value is supported.")).toBe(1);
    expect(nLimitFromMessage('400 n must be at most 8')).toBe(8);
    expect(nLimitFromMessage("400 Invalid value for 'temperature': expected a number between 0 and 2")).toBeUndefined();
    expect(nLimitFromMessage('400 max_tokens must be at most 4096')).toBeUndefined();
  });

  it('splits samples into requests within the limit, and keeps the lowest limit learnt', () => {
    expect(requestSizes(10, 4)).toEqual([4, 4, 2]);
    expect(requestSizes(3, undefined)).toEqual([3]);
    expect(requestSizes(3, 1)).toEqual([1, 1, 1]);
    const limits = new NLimits();
    expect(limits.learn('ep', 'm', 4)).toBe(true);
    expect(limits.learn('ep', 'm', 4)).toBe(false);
    expect(limits.learn('ep', 'm', 1)).toBe(true);
    expect(limits.get('ep', 'm')).toBe(1);
    expect(limits.get('ep', 'other')).toBeUndefined();
  });
});

describe('server messages whatever the body shape', () => {
  it.each([
    [{ error: { message: 'openai says', type: 'x' } }, 'openai says'],
    [{ status: 'failure', message: 'portkey says' }, 'portkey says'],
    [{ object: 'error', message: 'vllm says', code: 400 }, 'vllm says'],
    [{ detail: 'fastapi says' }, 'fastapi says'],
    [{ detail: [{ loc: ['body', 'n'], msg: 'too big' }] }, 'body.n: too big'],
    [{ error: 'ollama says' }, 'ollama says'],
    [{ weird: true }, '{"weird":true}'],
  ])('%j', (body, said) => {
    expect(serverMessage(body)).toBe(said);
  });
  it('plain text and HTML bodies; at most 300 characters', () => {
    expect(serverMessage(undefined, 'upstream connect error')).toBe('upstream connect error');
    expect(serverMessage(undefined, '<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>')).toBe('502 Bad Gateway nginx');
    expect(serverMessage({ message: 'x'.repeat(1000) })).toHaveLength(300);
    expect(serverMessage(undefined, '  ')).toBeUndefined();
  });
});

describe('the ledger never holds a non-finite amount', () => {
  it('refuses NaN and Infinity everywhere, charging a bad commit at its reservation', async () => {
    expect(() => new BudgetLedger(1, { carried: Number.NaN })).toThrow(/not a finite number/);
    const ledger = new BudgetLedger(1);
    expect(() => ledger.tryReserve(Number.NaN)).toThrow(RangeError);
    await expect(ledger.reserve(Number.POSITIVE_INFINITY)).rejects.toThrow(RangeError);
    const r = ledger.tryReserve(0.25);
    expect(r).not.toBeNull();
    expect(() => r?.commit(Number.NaN)).toThrow(RangeError);
    expect(ledger.spent).toBe(0.25);
    expect(ledger.reserved).toBe(0);
    expect(Number.isFinite(ledger.remaining)).toBe(true);
    expect(() => new BudgetLedger(Number.NaN)).toThrow(RangeError);
  });
});
