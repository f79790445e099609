import type { TokenLimitKey } from './token-limit.js';

/**
 * What a model accepts. Reasoning models (OpenAI's o-series and GPT-5 family) refuse
 * `max_tokens`, any temperature or top_p but the default, stop and the penalties, and take
 * `reasoning_effort` (and, GPT-5, `verbosity`) from a per-family list.
 */
export interface ModelCapabilities {
  /** The name of the completion-token cap the model takes (a config's cap is sent under it). */
  readonly token_limit: TokenLimitKey;
  /** false: only the default (1) is accepted, so the key is not searched. */
  readonly temperature: boolean;
  readonly top_p: boolean;
  readonly stop: boolean;
  /** presence_penalty and frequency_penalty */
  readonly penalties: boolean;
  /** The `reasoning_effort` values accepted; empty: the key is refused. */
  readonly reasoning_effort: readonly string[];
  /** The `verbosity` values accepted; empty: the key is refused. */
  readonly verbosity: readonly string[];
  /** The only API that serves the model, when it is not chat (o3-pro, gpt-5-pro: the Responses API). */
  readonly api?: 'responses';
}

/**
 * What OpenAI's model families accept, as data: the first entry whose `models` prefix matches a
 * model name wins (a dated snapshot matches its family), so the more specific prefixes come
 * first. A model no entry matches (a self-hosted model, an unknown gateway name) is not
 * checked at all. A config's `model_capabilities:` overrides or adds entries (docs/models.md).
 *
 * Sources: OpenAI's reasoning guide and the parameter errors its API returns (max_tokens →
 * max_completion_tokens, "Only the default (1) value is supported" for temperature and top_p,
 * `stop` unsupported); the effort values per family from its model pages (minimal on the gpt-5
 * family, none from gpt-5.1 on, xhigh from gpt-5.2 on); read 2026-12-02.
 */
export const CAPABILITY_TABLE: ReadonlyArray<{ models: string; caps: ModelCapabilities }> = Object.freeze([
  { models: 'o3-pro', caps: reasoning(['low', 'medium', 'high'], [], 'responses') },
  { models: 'gpt-5-pro', caps: reasoning(['high'], ['low', 'medium', 'high'], 'responses') },
  { models: 'gpt-5.4-pro', caps: reasoning(['medium', 'high', 'xhigh'], ['low', 'medium', 'high'], 'responses') },
  { models: 'gpt-5.5-pro', caps: reasoning(['medium', 'high', 'xhigh'], ['low', 'medium', 'high'], 'responses') },
  { models: 'o1', caps: reasoning(['low', 'medium', 'high'], []) },
  { models: 'o3', caps: reasoning(['low', 'medium', 'high'], []) },
  { models: 'o4-mini', caps: reasoning(['low', 'medium', 'high'], []) },
  { models: 'gpt-5.1', caps: reasoning(['none', 'low', 'medium', 'high'], ['low', 'medium', 'high']) },
  { models: 'gpt-5.2', caps: reasoning(['none', 'low', 'medium', 'high', 'xhigh'], ['low', 'medium', 'high']) },
  { models: 'gpt-5.4', caps: reasoning(['none', 'low', 'medium', 'high', 'xhigh'], ['low', 'medium', 'high']) },
  { models: 'gpt-5.5', caps: reasoning(['none', 'low', 'medium', 'high', 'xhigh'], ['low', 'medium', 'high']) },
  { models: 'gpt-5', caps: reasoning(['minimal', 'low', 'medium', 'high'], ['low', 'medium', 'high']) },
  // models that do not reason: everything but reasoning_effort and verbosity
  { models: 'gpt-4', caps: sampling() },
  { models: 'gpt-4o', caps: sampling() },
  { models: 'gpt-4.1', caps: sampling() },
  { models: 'gpt-3.5', caps: sampling() },
  { models: 'gpt-35', caps: sampling() },
  { models: 'text-', caps: sampling() },
  { models: 'davinci', caps: sampling() },
  { models: 'babbage', caps: sampling() },
]);

/** A model that samples: every sampling parameter, max_tokens, no reasoning keys. */

function sampling(): ModelCapabilities {
  return { token_limit: 'max_tokens', temperature: true, top_p: true, stop: true, penalties: true, reasoning_effort: [], verbosity: [] };
}

/** A reasoning model: max_completion_tokens; temperature and top_p only at their default; no stop or penalties. */
function reasoning(efforts: readonly string[], verbosity: readonly string[], api?: 'responses'): ModelCapabilities {
  return { token_limit: 'max_completion_tokens', temperature: false, top_p: false, stop: false, penalties: false, reasoning_effort: efforts, verbosity, ...(api ? { api } : {}) };
}
