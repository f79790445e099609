/**
 * The completion-token cap of a request, one concept under two names: `max_tokens` (the
 * original API, legacy and most chat models, every OpenAI-compatible server) and
 * `max_completion_tokens` (what OpenAI's reasoning models take, since their hidden reasoning
 * counts against the cap). Everything that reads or changes the cap goes through here: the
 * budget reservation, the probe, the cap the tuner sends per arm, and the request builder,
 * which sends the cap under the name the model takes (see model-capabilities.ts).
 */

/** The request keys that cap completion tokens per choice. */
export const TOKEN_LIMIT_KEYS = ['max_tokens', 'max_completion_tokens'] as const;
export type TokenLimitKey = (typeof TOKEN_LIMIT_KEYS)[number];

/** Whether `key` is one of the names of the cap. */
export function isTokenLimitKey(key: string): key is TokenLimitKey {
  return key === 'max_tokens' || key === 'max_completion_tokens';
}

/** The cap per choice a request (or config) sets, under either name; undefined when none is set. */
export function completionCap(params: Readonly<Record<string, unknown>>): number | undefined {
  for (const key of TOKEN_LIMIT_KEYS) {
    const v = params[key];
    if (typeof v === 'number') return v;
  }
  return undefined;
}

/** The name under which `params` sets its cap (undefined when it sets none). */
export function capKeyOf(params: Readonly<Record<string, unknown>>): TokenLimitKey | undefined {
  return TOKEN_LIMIT_KEYS.find((k) => typeof params[k] === 'number');
}

/**
 * `params` with its cap set to `cap`, under the name it already uses (`max_tokens` when it had
 * none), and never under both names.
 */
export function withCompletionCap<T extends Readonly<Record<string, unknown>>>(params: T, cap: number): T {
  const key = capKeyOf(params) ?? 'max_tokens';
  const out: Record<string, unknown> = { ...params };
  for (const k of TOKEN_LIMIT_KEYS) delete out[k];
  out[key] = cap;
  return out as T;
}

/**
 * `params` with the cap under the name a model takes (`as`): a config written with `max_tokens`
 * is sent to a reasoning model as `max_completion_tokens`, and the reverse. Nothing else changes.
 */
export function renameCap<T extends Readonly<Record<string, unknown>>>(params: T, as: TokenLimitKey): T {
  const key = capKeyOf(params);
  if (key === undefined || key === as) return params;
  const out: Record<string, unknown> = { ...params };
  const cap = out[key];
  delete out[key];
  out[as] = cap;
  return out as T;
}
