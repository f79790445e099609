import type { CachedSample } from '../store/response-cache.js';
import type { RawCompletion } from './transport.js';

/**
 * Split a response into samples, one per choice, giving each its share of the completion
 * tokens (of `usage`, the checked usage: see usage-check.ts). The API reports only the total; shares follow each choice's text length (the
 * lengths are what the tokens are made of), and the rounding is fixed so the shares add up to
 * exactly the reported total.
 */
export function splitSamples(raw: RawCompletion, fallbackModel: string, usage: { prompt_tokens: number; completion_tokens: number }): CachedSample[] {
  const model = typeof raw.model === 'string' && raw.model !== '' ? raw.model : fallbackModel;
  const prompt = usage.prompt_tokens;
  const total = usage.completion_tokens;
  const choices = [...raw.choices].sort((a, b) => Number(a.index ?? 0) - Number(b.index ?? 0));
  const lengths = choices.map((c) => choiceLength(c));
  const shares = apportion(total, lengths);
  return choices.map((c, i) => {
    const { index: _index, logprobs: _logprobs, ...choice } = c;
    return { choice, completionTokens: shares[i] ?? 0, promptTokens: prompt, model };
  });
}

function choiceLength(c: Record<string, unknown>): number {
  return choiceText(c).length;
}

/** What a choice generated, as text: the completion text, or the message content and any function or tool call. */
export function choiceText(c: Record<string, unknown>): string {
  if (typeof c.text === 'string') return c.text;
  const m = c.message as Record<string, unknown> | undefined;
  if (!m) return '';
  let text = typeof m.content === 'string' ? m.content : '';
  if (m.function_call) text += JSON.stringify(m.function_call);
  if (m.tool_calls) text += JSON.stringify(m.tool_calls);
  return text;
}

/** Largest-remainder apportionment of an integer total by weights (equal when all are 0). */
export function apportion(total: number, weights: readonly number[]): number[] {
  if (weights.length === 0) return [];
  const sum = weights.reduce((a, b) => a + b, 0);
  const w = sum > 0 ? weights : weights.map(() => 1);
  const wsum = sum > 0 ? sum : weights.length;
  const exact = w.map((x) => (total * x) / wsum);
  const floors = exact.map(Math.floor);
  let left = total - floors.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left-- <= 0) break;
    floors[i] = (floors[i] ?? 0) + 1;
  }
  return floors;
}

/** Turn stored samples back into OpenAI choices, indexed 0..n-1. */
export function toChoices(samples: readonly CachedSample[]): Array<Record<string, unknown> & { index: number }> {
  return samples.map((s, index) => ({ index, ...s.choice }));
}

/**
 * The texts of a response's choices, as the original's extract_text: `text` for legacy
 * completions, `message.content` for chat ('' when absent).
 */
export function extractText(response: { choices: ReadonlyArray<Record<string, unknown>> }): string[] {
  return response.choices.map((c) => {
    if (typeof c.text === 'string') return c.text;
    const content = (c.message as { content?: unknown } | undefined)?.content;
    return typeof content === 'string' ? content : '';
  });
}

/** A function or tool call a chat choice asked for. */
export interface CalledFunction {
  role?: string;
  content?: string | null;
  function_call?: unknown;
  tool_calls?: unknown;
}

/**
 * Like extractText, but a chat choice that calls a function or tools yields its whole message
 * (with function_call / tool_calls) instead of its text.
 */
export function extractTextOrFunctionCall(response: { choices: ReadonlyArray<Record<string, unknown>> }): Array<string | CalledFunction> {
  return response.choices.map((c) => {
    if (typeof c.text === 'string') return c.text;
    const m = (c.message ?? {}) as CalledFunction;
    if (m.function_call || (Array.isArray(m.tool_calls) && m.tool_calls.length > 0)) return m;
    return typeof m.content === 'string' ? m.content : '';
  });
}
