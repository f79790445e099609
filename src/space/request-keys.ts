import { deepFreeze, isPlainObject, show, typeName } from './values.js';

/**
 * What a request key accepts. `group` keys (only `temperature_or_top_p`) hold a choice of
 * sub-spaces and contribute no value of their own.
 */
export type ValueKind =
  | 'model'
  | 'template'
  | 'messages'
  | 'number'
  | 'int'
  | 'stop'
  | 'string'
  | 'object'
  | 'objectList'
  | 'stringOrObject'
  | 'group';

/** The shape and, for numbers, the allowed range of one request key. */
export interface KeySpec {
  readonly kind: ValueKind;
  readonly min?: number;
  readonly max?: number;
}

/** Every key a `search_space` may hold, with its value rules. */
export const REQUEST_KEYS: Readonly<Record<string, KeySpec>> = deepFreeze({
  model: { kind: 'model' },
  prompt: { kind: 'template' },
  messages: { kind: 'messages' },
  temperature: { kind: 'number', min: 0, max: 2 },
  top_p: { kind: 'number', min: 0, max: 1 },
  temperature_or_top_p: { kind: 'group' },
  max_tokens: { kind: 'int', min: 1 },
  // the same cap under the name reasoning models take (completion/token-limit.ts)
  max_completion_tokens: { kind: 'int', min: 1 },
  n: { kind: 'int', min: 1, max: 128 },
  stop: { kind: 'stop' },
  presence_penalty: { kind: 'number', min: -2, max: 2 },
  frequency_penalty: { kind: 'number', min: -2, max: 2 },
  best_of: { kind: 'int', min: 1 },
  seed: { kind: 'int' },
  response_format: { kind: 'object' },
  logit_bias: { kind: 'object' },
  functions: { kind: 'objectList' },
  tools: { kind: 'objectList' },
  tool_choice: { kind: 'stringOrObject' },
  user: { kind: 'string' },
  // reasoning models (which values each model takes: completion/model-capabilities.ts)
  reasoning_effort: { kind: 'string' },
  verbosity: { kind: 'string' },
} satisfies Record<string, KeySpec>);

/** The known keys, in the order of {@link REQUEST_KEYS}. */
export const KNOWN_KEYS: readonly string[] = Object.freeze(Object.keys(REQUEST_KEYS));

/** The domain keywords of the YAML syntax. */
export const DOMAIN_KEYWORDS: readonly string[] = Object.freeze([
  'const',
  'choice',
  'uniform',
  'loguniform',
  'quniform',
  'randint',
  'lograndint',
]);

/** OpenAI accepts at most four stop sequences. */
const MAX_STOP_SEQUENCES = 4;

/** A key's allowed range as a phrase for "must be …": `in [0, 2]`, `>= 1` or `any number`. */
export function describeRange(spec: KeySpec): string {
  if (spec.min !== undefined && spec.max !== undefined) return `in [${spec.min}, ${spec.max}]`;
  if (spec.min !== undefined) return `>= ${spec.min}`;
  if (spec.max !== undefined) return `<= ${spec.max}`;
  return 'any number';
}

/**
 * Checks one literal value (a constant or one choice option) against a key's rules.
 *
 * @returns a problem description such as "must be in [0, 2], got 3", or undefined when valid.
 */
export function checkValue(spec: KeySpec, value: unknown): string | undefined {
  switch (spec.kind) {
    case 'model':
      return typeof value === 'string' && value.trim() !== '' ? undefined : `must be a model name, got ${show(value)}`;
    case 'template':
      return typeof value === 'string' ? undefined : `must be a prompt template string, got ${typeName(value)}`;
    case 'string':
      return typeof value === 'string' ? undefined : `must be a string, got ${typeName(value)}`;
    case 'number':
    case 'int':
      return checkNumber(spec, value);
    case 'stop':
      return checkStop(value);
    case 'messages':
      return checkMessages(value);
    case 'object':
      return isPlainObject(value) ? undefined : `must be a mapping, got ${typeName(value)}`;
    case 'objectList':
      return Array.isArray(value) && value.every(isPlainObject) ? undefined : `must be a list of mappings, got ${show(value)}`;
    case 'stringOrObject':
      return typeof value === 'string' || isPlainObject(value) ? undefined : `must be a string or a mapping, got ${typeName(value)}`;
    case 'group':
      return 'takes sub-spaces, not a value';
  }
}

function checkNumber(spec: KeySpec, value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return `must be a number, got ${show(value)}`;
  if (spec.kind === 'int' && !Number.isInteger(value)) return `must be an integer, got ${value}`;
  if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
    return `must be ${describeRange(spec)}, got ${value}`;
  }
  return undefined;
}

function checkStop(value: unknown): string | undefined {
  if (value === null || typeof value === 'string') return undefined;
  if (Array.isArray(value) && value.every((s) => typeof s === 'string')) {
    return value.length <= MAX_STOP_SEQUENCES ? undefined : `allows at most ${MAX_STOP_SEQUENCES} sequences, got ${value.length}`;
  }
  return `must be null, a string or a list of strings, got ${show(value)}`;
}

function checkMessages(value: unknown): string | undefined {
  if (!Array.isArray(value) || value.length === 0) return `must be a non-empty list of messages, got ${show(value)}`;
  for (const [i, m] of value.entries()) {
    if (!isPlainObject(m) || typeof m['role'] !== 'string') {
      return `message ${i} must be a mapping with a string \`role\`, got ${show(m)}`;
    }
    const content = m['content'];
    if (content !== undefined && content !== null && typeof content !== 'string' && !Array.isArray(content)) {
      return `message ${i} \`content\` must be a string, a list of parts or null, got ${typeName(content)}`;
    }
  }
  return undefined;
}

export { closest } from '../util/closest.js';
