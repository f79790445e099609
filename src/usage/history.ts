import { canonicalJson } from '../util/canonical-json.js';
import type { CallRecord, CallResponse } from './usage-record.js';

/** Tokens of one call, as the original's `token_count` entries. */
export interface TokenCount {
  model: string;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** One conversation in a compact history: parallel lists, one item per call. */
export interface CompactEntry {
  /** Call indices (the original's `created_at`). */
  created_at: number[];
  /** USD per call at list price (cache hits included, as the original). */
  cost: number[];
  token_count: TokenCount[];
}

/** Compact history: conversation key (sorted-key JSON of the whole conversation) → entry. */
export type CompactHistory = Record<string, CompactEntry>;

/** Full history: call index → the request (never credentials) and the response. */
export type FullHistory = Record<number, { request: Record<string, unknown>; response: CallResponse }>;

/** Either history shape. */
export type History = CompactHistory | FullHistory;

/**
 * Keys that must never reach a history even if a caller put them in the request parameters
 * (the original logged `api_key` in full histories, issue #412).
 */
const SECRET_KEYS = new Set(['api_key', 'azure_ad_token', 'azure_ad_token_provider', 'credentials', 'headers', 'base_url', 'api_base', 'organization', 'project']);

/** The request without anything that could be a credential or endpoint detail. */
export function scrubRequest(request: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(request)) if (!SECRET_KEYS.has(k)) out[k] = v;
  return out;
}

/** The response fields a history keeps (the engine's bookkeeping fields are left out). */
export function historyResponse(r: CallResponse): CallResponse {
  return { id: r.id, object: r.object, created: r.created, model: r.model, choices: r.choices, usage: r.usage, cost: r.cost, cached: r.cached };
}

/**
 * Add call number `index` to a compact history, in place. A chat request whose messages
 * continue an earlier conversation (more than one message, the last not from the assistant)
 * takes over that conversation's entry: the entry is removed under its old key and stored
 * under the key of the longer conversation, so the history stays linear in size. The same
 * conversation twice (a repeated or cached call) adds to one entry.
 */
export function appendCompact(history: CompactHistory, index: number, call: Pick<CallRecord, 'request' | 'response'>): void {
  const { request, response } = call;
  let entry: CompactEntry | undefined;
  let key: string;
  if (Array.isArray(request.messages)) {
    const messages = request.messages as ReadonlyArray<Record<string, unknown>>;
    const last = messages[messages.length - 1];
    if (messages.length > 1 && last?.role !== 'assistant') {
      const previous = conversationKey(messages.slice(0, -1));
      entry = history[previous];
      if (entry) delete history[previous];
    }
    key = conversationKey([...messages, ...response.choices.map((c) => c.message)]);
  } else {
    key = conversationKey([request.prompt, ...response.choices.map((c) => c.text)]);
  }
  // the same conversation again (e.g. a cache hit) extends its entry instead of replacing it
  entry ??= history[key] ?? { created_at: [], cost: [], token_count: [] };
  entry.created_at.push(index);
  entry.cost.push(response.cost);
  entry.token_count.push({
    model: response.model,
    prompt_tokens: response.usage.prompt_tokens,
    completion_tokens: response.usage.completion_tokens,
    total_tokens: response.usage.total_tokens,
  });
  history[key] = entry;
}

/** Add call number `index` to a full history, in place. */
export function appendFull(history: FullHistory, index: number, call: Pick<CallRecord, 'request' | 'response'>): void {
  history[index] = { request: scrubRequest(call.request), response: historyResponse(call.response) };
}

/**
 * The key of a conversation: sorted-key JSON of its parts. Messages keep only what a caller
 * sends back when continuing a chat (role, content, name, function/tool calls), so fields a
 * server adds to replies (`refusal: null`, `annotations`) do not break the continuation.
 */
function conversationKey(parts: readonly unknown[]): string {
  return canonicalJson(parts.map((p) => (p && typeof p === 'object' && !Array.isArray(p) ? messageCore(p as Record<string, unknown>) : (p ?? null))));
}

function messageCore(m: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { role: m.role, content: m.content ?? null };
  for (const k of ['name', 'function_call', 'tool_calls', 'tool_call_id'] as const) if (m[k] !== undefined && m[k] !== null) out[k] = m[k];
  return out;
}
