import type { RawCompletion } from './raw-completion.js';

/**
 * OpenAI's Responses API, for models it alone serves (o3-pro, gpt-5-pro). autotune builds every
 * chat request in the chat shape (messages, the cap, reasoning_effort, verbosity) so that the
 * cache key, the budget reservation and the usage checks are one code path; the transport turns
 * it into a Responses request here, and the answer back into a chat completion with one choice.
 * The API has no `n`: the engine asks for n samples as n requests (draw-samples.ts).
 */

/** The Responses request for a chat-shaped body. */
export function toResponsesRequest(body: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { messages, max_completion_tokens, max_tokens, reasoning_effort, verbosity, n: _n, ...rest } = body;
  const out: Record<string, unknown> = { ...rest, input: messages };
  const cap = max_completion_tokens ?? max_tokens;
  if (cap !== undefined) out.max_output_tokens = cap;
  if (reasoning_effort !== undefined) out.reasoning = { effort: reasoning_effort };
  if (verbosity !== undefined) out.text = { verbosity };
  return out;
}

/**
 * A Responses answer as a chat completion: the text of its message items as one choice,
 * `finish_reason: length` when it stopped at `max_output_tokens`, and its usage renamed
 * (input → prompt, output → completion, with the cached and reasoning details). A usage that is
 * not an object is passed on as is, for usage-check.ts to judge.
 */
export function fromResponse(raw: unknown): RawCompletion {
  const r = (raw !== null && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  if (!Array.isArray(r.output)) return { choices: undefined as never };
  let text = '';
  for (const item of r.output as Array<Record<string, unknown>>) {
    if (item?.type !== 'message' || !Array.isArray(item.content)) continue;
    for (const part of item.content as Array<Record<string, unknown>>) if (part?.type === 'output_text' && typeof part.text === 'string') text += part.text;
  }
  const details = r.incomplete_details as { reason?: unknown } | null | undefined;
  const cut = r.status === 'incomplete' && details?.reason === 'max_output_tokens';
  const u = r.usage;
  const usage =
    u !== null && typeof u === 'object' && !Array.isArray(u)
      ? renameUsage(u as Record<string, unknown>)
      : u;
  return {
    ...(typeof r.id === 'string' ? { id: r.id } : {}),
    object: 'chat.completion',
    ...(typeof r.created_at === 'number' ? { created: r.created_at } : {}),
    ...(typeof r.model === 'string' ? { model: r.model } : {}),
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: cut ? 'length' : 'stop' }],
    ...(usage === undefined ? {} : { usage }),
  };
}

function renameUsage(u: Record<string, unknown>): Record<string, unknown> {
  const inDetails = u.input_tokens_details as Record<string, unknown> | undefined;
  const outDetails = u.output_tokens_details as Record<string, unknown> | undefined;
  return {
    prompt_tokens: u.input_tokens,
    completion_tokens: u.output_tokens,
    total_tokens: u.total_tokens,
    ...(inDetails ? { prompt_tokens_details: { cached_tokens: inDetails.cached_tokens } } : {}),
    ...(outDetails ? { completion_tokens_details: { reasoning_tokens: outDetails.reasoning_tokens } } : {}),
  };
}
