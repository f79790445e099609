import { deepFreeze, isPlainObject } from './values.js';

/**
 * The original's default search space (AutoGen 0.1.x `Completion.default_search_space`, without
 * `model`, which the config loader requires), in the YAML syntax:
 *
 * | key | default | applied when |
 * |---|---|---|
 * | `temperature_or_top_p` | `[{temperature: {uniform: [0, 2]}}, {top_p: {uniform: [0, 1]}}]` | none of `temperature`, `top_p`, `temperature_or_top_p` is given |
 * | `max_tokens` | `{lograndint: [50, 1000]}` | neither `max_tokens` nor `max_completion_tokens` is given |
 * | `n` | `{randint: [1, 100]}` | `n` is not given |
 * | `prompt` | `"{prompt}"` | neither `prompt` nor `messages` is given |
 *
 * Integer bounds are inclusive here (50..1000 and 1..100), where FLAML's were exclusive (50..999
 * and 1..99).
 */
export const DEFAULT_SEARCH_SPACE: Readonly<Record<string, unknown>> = deepFreeze({
  temperature_or_top_p: [{ temperature: { uniform: [0, 2] } }, { top_p: { uniform: [0, 1] } }],
  max_tokens: { lograndint: [50, 1000] },
  n: { randint: [1, 100] },
  prompt: '{prompt}',
});

/** The outcome of {@link applyDefaults}. */
export interface DefaultsResult {
  /** The raw space with defaults added after the user's keys (a new object; the input is untouched). */
  readonly value: Readonly<Record<string, unknown>>;
  /** The keys that were defaulted, in {@link DEFAULT_SEARCH_SPACE} order. */
  readonly applied: readonly string[];
}

/**
 * Adds the original's defaults to a raw `search_space` mapping (the plain value parsed from YAML)
 * and reports which ones it added, so the loader can tell the user. A key counts as given when it
 * appears at the top level or inside an option of a choice of sub-spaces (`temperature_or_top_p`
 * or a hierarchical `model`). `null`/`undefined` count as an empty mapping; any other non-mapping
 * is returned unchanged for the parser to reject.
 *
 * @example
 * ```ts
 * applyDefaults({ model: 'gpt-4', temperature: 0 }).applied; // ['max_tokens', 'n', 'prompt']
 * ```
 */
export function applyDefaults(raw: unknown): DefaultsResult {
  const base = raw === null || raw === undefined ? {} : raw;
  if (!isPlainObject(base)) return { value: base as Readonly<Record<string, unknown>>, applied: [] };
  const given = givenKeys(base);
  const applied: string[] = [];
  const out: Record<string, unknown> = { ...base };
  const add = (key: string): void => {
    out[key] = DEFAULT_SEARCH_SPACE[key];
    applied.push(key);
  };
  if (!given.has('temperature') && !given.has('top_p') && !given.has('temperature_or_top_p')) add('temperature_or_top_p');
  if (!given.has('max_tokens') && !given.has('max_completion_tokens')) add('max_tokens');
  if (!given.has('n')) add('n');
  if (!given.has('prompt') && !given.has('messages')) add('prompt');
  return { value: out, applied };
}

/** Keys given at the top level or inside sub-space options (not inside literal values). */
function givenKeys(mapping: Record<string, unknown>, into: Set<string> = new Set()): Set<string> {
  for (const [key, value] of Object.entries(mapping)) {
    into.add(key);
    if (key !== 'temperature_or_top_p' && key !== 'model') continue;
    const options = Array.isArray(value)
      ? value
      : isPlainObject(value) && Array.isArray(value['choice'])
        ? value['choice']
        : [value];
    for (const option of options) if (isPlainObject(option)) givenKeys(option, into);
  }
  return into;
}
