/**
 * The registry of request parameters: every OpenAI parameter autotune knows, with its value
 * rule. A config file's top level (create, test), a `search_space` (tune) and the request
 * flags of create and test are all read against it, so a new parameter is one entry here (and,
 * when only some models take it, a line in completion/capability-table.ts).
 */

/** What a request parameter accepts. `group` keys hold a choice of sub-spaces (search spaces only). */
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
  | 'group'
  | 'any';

/** The shape and, for numbers, the allowed range of one request key. */
export interface KeySpec {
  readonly kind: ValueKind;
  readonly min?: number;
  readonly max?: number;
}

/** A request parameter: its value rule, whether tune can search it, and its create/test flag. */
export interface ParameterSpec extends KeySpec {
  /** false: passed through from a config file, never searched (default true). */
  readonly searchable?: boolean;
  /** create and test take it as `--kebab-name` (overriding a config file's value). */
  readonly flag?: { readonly help: string; readonly short?: string; readonly value?: string };
}

/** Every request parameter, with its value rule (a search space's `temperature_or_top_p` group is space/'s). */
export const REQUEST_PARAMETERS: Readonly<Record<string, ParameterSpec>> = deepFreeze({
  model: { kind: 'model' },
  prompt: { kind: 'template' },
  messages: { kind: 'messages' },
  temperature: { kind: 'number', min: 0, max: 2, flag: { help: 'sampling temperature', value: '<t>' } },
  top_p: { kind: 'number', min: 0, max: 1, flag: { help: 'nucleus sampling', value: '<p>' } },
  max_tokens: { kind: 'int', min: 1, flag: { help: 'max tokens per choice (sent as max_completion_tokens to a reasoning model)' } },
  // the same cap under the name reasoning models take (completion/token-limit.ts)
  max_completion_tokens: { kind: 'int', min: 1, flag: { help: 'the same cap under the name reasoning models take' } },
  n: { kind: 'int', min: 1, max: 128, flag: { help: 'number of choices', short: 'n' } },
  stop: { kind: 'stop', flag: { help: 'stop sequence(s)', value: '<s...>' } },
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
  reasoning_effort: { kind: 'string', flag: { help: 'reasoning models: none|minimal|low|medium|high|xhigh (which ones, depends on the model)', value: '<effort>' } },
  verbosity: { kind: 'string', flag: { help: 'gpt-5 family: low|medium|high', value: '<v>' } },
  // passed through from a config file as written
  logprobs: { kind: 'any', searchable: false },
  top_logprobs: { kind: 'any', searchable: false },
  function_call: { kind: 'any', searchable: false },
  suffix: { kind: 'any', searchable: false },
  echo: { kind: 'any', searchable: false },
  // force the endpoint: chat | completion | responses
  api: { kind: 'any', searchable: false },
} satisfies Record<string, ParameterSpec>);

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
    case 'any':
      return undefined;
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


// --- internal: short renderings of values for the messages above ---

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function deepFreeze<T>(value: T): T {
  if (Array.isArray(value) || isPlainObject(value)) {
    for (const v of Object.values(value as object)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function show(value: unknown): string {
  let text: string;
  if (value === undefined) text = 'undefined';
  else if (typeof value === 'number' && !Number.isFinite(value)) text = String(value);
  else text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (isPlainObject(value)) return 'a mapping';
  return `a ${typeof value}`;
}
