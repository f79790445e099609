import { choiceText } from './samples.js';
import { countPromptTokens, countTokens, type CountMethod } from './token-count.js';

/** Why a response's `usage` was not taken as is. */
export type UsageProblem = 'missing' | 'invalid' | 'contradicted';

/** The tokens a response is charged for, and whether they are the server's word or an estimate. */
export interface CheckedUsage {
  prompt_tokens: number;
  /** Hidden reasoning tokens included. */
  completion_tokens: number;
  /** Of prompt_tokens: served from the provider's prompt cache (`prompt_tokens_details.cached_tokens`); 0 when not reported or not a count. */
  cached_tokens: number;
  /** Of completion_tokens: hidden reasoning (`completion_tokens_details.reasoning_tokens`); 0 when not reported. */
  reasoning_tokens: number;
  /** Not (only) the server's report: counted, estimated or charged at the worst case. */
  estimated: boolean;
  problem?: UsageProblem;
  /** What was wrong and what was charged instead, for warnings and the log. */
  detail?: string;
}

/** What the request allowed, to check a usage against and to charge when it cannot be trusted. */
export interface UsageContext {
  model: string;
  chat: boolean;
  promptTexts: readonly string[];
  /** The prompt tokens reserved for the request: a bound that holds for any text (cost.ts). */
  promptBound: number;
  /** max_tokens per choice, when the request set one. */
  maxTokens: number | undefined;
  /** Longest answer per choice assumed when the request set no max_tokens (the reservation's). */
  defaultMaxTokens: number;
}

/**
 * Fewer tokens than one per this many characters of generated text is not what any tokenizer
 * makes of text: a report below it is not the count of these choices (llama-server reports the
 * first choice's usage only when n > 1; some proxies report zeros).
 */
const MAX_CHARS_PER_TOKEN = 8;

/** A finite, non-negative integer: what a token count must be. */
export function isTokenCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/**
 * The usage to charge for a response:
 * - as reported, when every count is a finite non-negative integer the choices agree with;
 * - no `usage`: counted (OpenAI models with their tokenizer, others from the text's length);
 * - a count that is not a finite non-negative integer (`"n/a"`, null, -1, 1.5): that count at
 *   the reservation's worst case (the prompt bound; max_tokens for each choice), since a server
 *   that sends nonsense may bill anything up to it;
 * - a report the choices contradict (choices stopped by `length` hold max_tokens each; or far
 *   fewer tokens than the text can be): the larger of the report and the count.
 */
export async function checkUsage(raw: { usage?: unknown; choices: ReadonlyArray<Record<string, unknown>> }, ctx: UsageContext): Promise<CheckedUsage> {
  const counts = await checkCounts(raw, ctx);
  return { ...counts, ...usageDetails(raw.usage, counts) };
}

/**
 * The details of a trusted usage: cached prompt tokens and reasoning tokens, each a count no
 * larger than what it is part of. Anything else (absent, not a count, more than the whole, or a
 * usage that was not taken as is) is 0: cached tokens then cost the full input price, which is
 * the most they can cost, so the charge is never under the bill.
 */
function usageDetails(u: unknown, counts: Omit<CheckedUsage, 'cached_tokens' | 'reasoning_tokens'>): { cached_tokens: number; reasoning_tokens: number } {
  if (counts.estimated || u === null || typeof u !== 'object') return { cached_tokens: 0, reasoning_tokens: 0 };
  const detail = (group: string, field: string, whole: number): number => {
    const g = (u as Record<string, unknown>)[group];
    const v = g !== null && typeof g === 'object' ? (g as Record<string, unknown>)[field] : undefined;
    return isTokenCount(v) && v <= whole ? v : 0;
  };
  return {
    cached_tokens: detail('prompt_tokens_details', 'cached_tokens', counts.prompt_tokens),
    reasoning_tokens: detail('completion_tokens_details', 'reasoning_tokens', counts.completion_tokens),
  };
}

async function checkCounts(raw: { usage?: unknown; choices: ReadonlyArray<Record<string, unknown>> }, ctx: UsageContext): Promise<Omit<CheckedUsage, 'cached_tokens' | 'reasoning_tokens'>> {
  const u = raw.usage;
  const texts = raw.choices.map(choiceText);
  const cap = ctx.maxTokens ?? ctx.defaultMaxTokens;
  if (u === undefined || u === null || typeof u !== 'object' || Array.isArray(u) || (!('prompt_tokens' in u) && !('completion_tokens' in u))) {
    const prompt = await countPromptTokens(ctx.model, ctx.promptTexts, ctx.chat);
    const completion = await completionCount(ctx.model, raw.choices, texts, ctx.maxTokens);
    return { prompt_tokens: prompt.tokens, completion_tokens: completion.tokens, estimated: true, problem: 'missing', detail: `no usage in the answer: ${how(completion.method)}` };
  }
  const { prompt_tokens: p, completion_tokens: c } = u as { prompt_tokens?: unknown; completion_tokens?: unknown };
  if (!isTokenCount(p) || !isTokenCount(c)) {
    const bad = [!isTokenCount(p) ? `prompt_tokens ${show(p)}` : '', !isTokenCount(c) ? `completion_tokens ${show(c)}` : ''].filter(Boolean).join(', ');
    return {
      prompt_tokens: isTokenCount(p) ? p : ctx.promptBound,
      completion_tokens: isTokenCount(c) ? c : cap * raw.choices.length,
      estimated: true,
      problem: 'invalid',
      detail: `usage holds ${bad}: charged at the worst case the request allowed`,
    };
  }
  const lengthBound = ctx.maxTokens === undefined ? 0 : raw.choices.filter((ch) => ch.finish_reason === 'length').length * ctx.maxTokens;
  const chars = texts.reduce((a, t) => a + t.length, 0);
  const promptChars = ctx.promptTexts.reduce((a, t) => a + t.length, 0);
  const completionOff = c < lengthBound || c < Math.ceil(chars / MAX_CHARS_PER_TOKEN);
  const promptOff = p < Math.ceil(promptChars / MAX_CHARS_PER_TOKEN);
  if (!completionOff && !promptOff) return { prompt_tokens: p, completion_tokens: c, estimated: false };
  const completion = completionOff ? await completionCount(ctx.model, raw.choices, texts, ctx.maxTokens) : { tokens: c, method: 'tokenizer' as CountMethod };
  const prompt = promptOff ? await countPromptTokens(ctx.model, ctx.promptTexts, ctx.chat) : { tokens: p, method: 'tokenizer' as CountMethod };
  const parts = [completionOff ? `completion_tokens ${c} for ${raw.choices.length} choice(s) of ${chars} characters${lengthBound > c ? ` (${lengthBound / (ctx.maxTokens ?? 1)} stopped at max_tokens ${ctx.maxTokens})` : ''}` : '', promptOff ? `prompt_tokens ${p} for ${promptChars} characters` : ''].filter(Boolean);
  return {
    prompt_tokens: Math.max(p, prompt.tokens),
    completion_tokens: Math.max(c, completion.tokens, lengthBound),
    estimated: true,
    problem: 'contradicted',
    detail: `the answer reports ${parts.join(' and ')}: charged the larger count (${how(completion.method)})`,
  };
}

/** Completion tokens of the choices: a choice stopped by `length` holds at least max_tokens. */
async function completionCount(model: string, choices: ReadonlyArray<Record<string, unknown>>, texts: readonly string[], maxTokens: number | undefined): Promise<{ tokens: number; method: CountMethod }> {
  const { counts, method } = await countTokens(model, texts);
  let tokens = 0;
  choices.forEach((ch, i) => {
    const n = counts[i] ?? 0;
    tokens += ch.finish_reason === 'length' && maxTokens !== undefined ? Math.max(n, maxTokens) : n;
  });
  return { tokens, method };
}

function how(method: CountMethod): string {
  return method === 'tokenizer' ? "counted with the model's tokenizer" : 'estimated at one token per 3 bytes of text';
}

function show(v: unknown): string {
  return v === undefined ? 'missing' : JSON.stringify(v) ?? String(v);
}
