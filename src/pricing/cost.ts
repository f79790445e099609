import type { Price } from './price-table.js';

export interface TokenUsage {
  prompt_tokens: number;
  /** Completion tokens, hidden reasoning tokens included (OpenAI bills them as output). */
  completion_tokens: number;
  /** Of prompt_tokens: served from the provider's prompt cache, billed at the cached-input price. */
  cached_tokens?: number;
}

/**
 * USD for a usage at a price in USD per 1K tokens: uncached prompt tokens at the input price,
 * cached prompt tokens at the cached-input price (the input price when the table has none),
 * completion tokens (reasoning included) at the output price. Pure.
 */
export function costOf(usage: TokenUsage, price: Price): number {
  const cached = Math.min(usage.cached_tokens ?? 0, usage.prompt_tokens);
  return ((usage.prompt_tokens - cached) * price[0] + cached * cachedInputPrice(price) + usage.completion_tokens * price[1]) / 1000;
}

/** USD per 1K cached prompt tokens: the table's third column, else the input price. */
export function cachedInputPrice(price: Price): number {
  return price[2] ?? price[0];
}

/**
 * The most a request can cost: its prompt plus `n × max_tokens` completion tokens. Used to
 * reserve budget before a request is sent, so the optimization budget is never passed.
 */
export function worstCaseCost(promptTokens: number, maxCompletionTokens: number, price: Price): number {
  return costOf({ prompt_tokens: promptTokens, completion_tokens: maxCompletionTokens }, price);
}

/**
 * The most prompt tokens a request's texts can be, for any tokenizer and any UTF-8 text: every
 * token of a byte-level BPE (OpenAI's encodings, Llama 3, Qwen) or of a SentencePiece vocabulary
 * with byte fallback (Llama 2, Mistral) covers at least one byte, so b bytes are at most b tokens;
 * plus a chat template's tokens per message (role and separators: 4 for OpenAI, 5 for Llama 3)
 * and at its start, counted generously. A bound, not an estimate: reserved before a request, it
 * keeps the budget safe on token-dense text (emoji, CJK, base64), where a third of the bytes
 * fell short. A known count from an earlier answer to the same request replaces it.
 */
export function estimatePromptTokens(texts: readonly string[]): number {
  let total = PROMPT_OVERHEAD;
  for (const t of texts) total += Buffer.byteLength(t, 'utf8') + PROMPT_OVERHEAD;
  return total;
}

/** Tokens a chat template may add per message and at its start (a generous bound). */
const PROMPT_OVERHEAD = 8;
