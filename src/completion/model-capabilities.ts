import { ConfigError } from '../errors.js';
import { CAPABILITY_TABLE, type ModelCapabilities } from './capability-table.js';
import { capKeyOf, type TokenLimitKey } from './token-limit.js';

export type { ModelCapabilities } from './capability-table.js';

/** `model_capabilities:` entries of a config: a model name, or a prefix ending in `*`, to what it accepts. */
export type CapabilityOverrides = Readonly<Record<string, ModelCapabilities>>;

/**
 * What `model` accepts: a `model_capabilities:` entry (exact name first, then the longest
 * matching `prefix*`), else the first built-in family whose prefix matches; undefined for a model
 * nothing is known about (it is then sent as configured, unchecked).
 */
export function capabilitiesOf(model: string, overrides: CapabilityOverrides = {}): ModelCapabilities | undefined {
  if (Object.hasOwn(overrides, model)) return overrides[model];
  let best: string | undefined;
  for (const key of Object.keys(overrides)) {
    if (key.endsWith('*') && model.startsWith(key.slice(0, -1)) && (best === undefined || key.length > best.length)) best = key;
  }
  if (best !== undefined) return overrides[best];
  return CAPABILITY_TABLE.find((e) => model === e.models || model.startsWith(`${e.models}-`) || (e.models.endsWith('-') && model.startsWith(e.models)))?.caps;
}

/** Why a model cannot take one request key's value, or undefined when it can. */
export function refusal(caps: ModelCapabilities, key: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  switch (key) {
    case 'temperature':
    case 'top_p':
      return caps[key] || value === 1 ? undefined : `takes only the default ${key} (1), got ${JSON.stringify(value)}`;
    case 'stop':
      return caps.stop ? undefined : 'takes no stop sequences';
    case 'presence_penalty':
    case 'frequency_penalty':
      return caps.penalties ? undefined : `takes no ${key}`;
    case 'reasoning_effort':
    case 'verbosity': {
      const allowed = caps[key];
      if (allowed.length === 0) return `takes no ${key}`;
      return allowed.includes(String(value)) ? undefined : `takes ${key} ${allowed.join(', ')}, not ${JSON.stringify(value)}`;
    }
    default:
      return undefined;
  }
}

/** The request keys whose values a model may refuse (see {@link refusal}). */
export const CHECKED_KEYS: readonly string[] = Object.freeze(['temperature', 'top_p', 'stop', 'presence_penalty', 'frequency_penalty', 'reasoning_effort', 'verbosity']);

/**
 * Check request parameters against what their model accepts before anything is sent.
 * @throws ConfigError naming the key and the model, with what the model takes.
 */
export function checkRequestParams(params: Readonly<Record<string, unknown>>, overrides?: CapabilityOverrides, where: { file?: string } = {}): void {
  const model = params.model;
  if (typeof model !== 'string') return;
  const caps = capabilitiesOf(model, overrides);
  if (!caps) return;
  for (const key of CHECKED_KEYS) {
    const why = refusal(caps, key, params[key]);
    if (why !== undefined) {
      throw new ConfigError(`${model} ${why}`, {
        ...(where.file ? { file: where.file } : {}),
        field: key,
        code: 'E_MODEL_PARAMETER',
        hint: `remove ${key} (or pick a value ${model} takes); a model_capabilities: entry can say what ${model} accepts (docs/models.md)`,
      });
    }
  }
}

/** The name a model's cap is sent under (the config's own when nothing is known of the model). */
export function capKeyFor(params: Readonly<Record<string, unknown>>, overrides?: CapabilityOverrides): TokenLimitKey | undefined {
  const model = params.model;
  const caps = typeof model === 'string' ? capabilitiesOf(model, overrides) : undefined;
  return caps?.token_limit ?? capKeyOf(params);
}

/** Parse and check a `model_capabilities:` mapping (YAML). @throws ConfigError naming the entry and field */
export function parseCapabilityOverrides(v: unknown, where: { file?: string; lineOf?: (path: readonly string[]) => number | undefined } = {}): CapabilityOverrides {
  if (v === undefined || v === null) return {};
  const fail = (path: string[], msg: string): never => {
    throw new ConfigError(msg, {
      ...(where.file ? { file: where.file } : {}),
      line: where.lineOf?.(path),
      field: path.join('.'),
      hint: 'e.g. model_capabilities: {my-model: {token_limit: max_completion_tokens, temperature: false, top_p: false, stop: false, penalties: false, reasoning_effort: [low, medium, high], verbosity: []}}',
    });
  };
  if (typeof v !== 'object' || Array.isArray(v)) fail(['model_capabilities'], 'model_capabilities must map model names (or prefixes ending in *) to what each accepts');
  const out: Record<string, ModelCapabilities> = Object.create(null) as Record<string, ModelCapabilities>;
  for (const [model, raw] of Object.entries(v as Record<string, unknown>)) {
    const at = ['model_capabilities', model];
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(at, `model_capabilities.${model} must be a mapping`);
    const r = raw as Record<string, unknown>;
    const known = ['token_limit', 'temperature', 'top_p', 'stop', 'penalties', 'reasoning_effort', 'verbosity', 'api'];
    for (const k of Object.keys(r)) if (!known.includes(k)) fail([...at, k], `model_capabilities.${model}.${k} is not a known capability (known: ${known.join(', ')})`);
    const base = capabilitiesOf(model.replace(/\*$/, '')) ?? { token_limit: 'max_tokens', temperature: true, top_p: true, stop: true, penalties: true, reasoning_effort: [], verbosity: [] };
    const bool = (k: 'temperature' | 'top_p' | 'stop' | 'penalties'): boolean => {
      if (r[k] === undefined) return base[k];
      if (typeof r[k] !== 'boolean') fail([...at, k], `model_capabilities.${model}.${k} must be true or false`);
      return r[k] as boolean;
    };
    const list = (k: 'reasoning_effort' | 'verbosity'): readonly string[] => {
      if (r[k] === undefined) return base[k];
      if (!Array.isArray(r[k]) || !(r[k] as unknown[]).every((x) => typeof x === 'string')) fail([...at, k], `model_capabilities.${model}.${k} must be a list of values ([] for none)`);
      return r[k] as string[];
    };
    const limit = r.token_limit ?? base.token_limit;
    if (limit !== 'max_tokens' && limit !== 'max_completion_tokens') fail([...at, 'token_limit'], `model_capabilities.${model}.token_limit must be max_tokens or max_completion_tokens`);
    const api = r.api ?? base.api;
    if (api !== undefined && api !== 'responses' && api !== 'chat') fail([...at, 'api'], `model_capabilities.${model}.api must be chat or responses`);
    out[model] = Object.freeze({
      token_limit: limit as TokenLimitKey,
      temperature: bool('temperature'),
      top_p: bool('top_p'),
      stop: bool('stop'),
      penalties: bool('penalties'),
      reasoning_effort: list('reasoning_effort'),
      verbosity: list('verbosity'),
      ...(api === 'responses' ? { api: 'responses' as const } : {}),
    });
  }
  return out;
}
