import type { Price } from './price-table.js';

export interface TokenUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

/** USD for a usage at a price in USD per 1K tokens. Pure. */
export function costOf(usage: TokenUsage, price: Price): number {
  return (usage.prompt_tokens * price[0] + usage.completion_tokens * price[1]) / 1000;
}

/**
 * The most a request can cost: its prompt plus `n × max_tokens` completion tokens. Used to
 * reserve budget before a request is sent, so the optimization budget is never passed.
 */
export function worstCaseCost(promptTokens: number, maxCompletionTokens: number, price: Price): number {
  return costOf({ prompt_tokens: promptTokens, completion_tokens: maxCompletionTokens }, price);
}

/**
 * An upper estimate of the prompt tokens of a text without a tokenizer: OpenAI's tokenizers
 * average about 4 characters per token on English and never fewer than ~1 byte per token on
 * odd text; a third of the UTF-8 length plus per-message overhead is a safe-side estimate
 * that keeps reservations honest without being absurdly pessimistic.
 */
export function estimatePromptTokens(texts: readonly string[]): number {
  let total = 3;
  for (const t of texts) total += Math.ceil(Buffer.byteLength(t, 'utf8') / 3) + 4;
  return total;
}
