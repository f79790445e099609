import type { KeySpec } from './request-parameters.js';
import { SEARCH_SPACE_KEYS } from '../space/request-keys.js';
import { TUNE_KEYS, type TuneKey } from './tune-keys.js';

/** A JSON Schema (draft-07) node: plain data, written to `autotune.schema.json`. */
export type JsonSchema = { [keyword: string]: unknown };

/** Where the schema is published inside the package, for `# yaml-language-server: $schema=…`. */
export const SCHEMA_FILE = 'autotune.schema.json';

/**
 * The JSON Schema of a tune config (`autotune.yaml`, `tune.example.yaml`), generated from the key
 * registries the loader itself checks against: TUNE_KEYS for the top level (a key added there
 * without a schema here fails to compile) and the search space's SEARCH_SPACE_KEYS for `search_space`.
 * Editors use it through yaml-language-server to complete keys and flag typos; the loader stays
 * the judge (it also checks files, ranges of bounds, and cross-key rules).
 */
export function tuneConfigSchema(): JsonSchema {
  const properties = Object.fromEntries(TUNE_KEYS.map((k) => [k, TOP_LEVEL[k]]));
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'autotune tune config',
    description: 'What `autotune tune` searches, on which data, scored how, under which budgets.',
    type: 'object',
    // data, eval and metric may come from flags (--data, --eval, --metric): only the space must be here
    required: ['search_space'],
    additionalProperties: false,
    properties,
  };
}

/** The schema as the file `autotune.schema.json` holds it. */
export function schemaText(): string {
  return `${JSON.stringify(tuneConfigSchema(), null, 2)}\n`;
}

// --- internal ---

const usd = (description: string): JsonSchema => ({ type: 'number', exclusiveMinimum: 0, description });
const path = (description: string): JsonSchema => ({ type: 'string', minLength: 1, description });
const seconds = (description: string): JsonSchema => ({ type: 'number', exclusiveMinimum: 0, description });
const price: JsonSchema = {
  anyOf: [
    // [prompt, completion] or [prompt, completion, cached prompt]
    { type: 'array', items: { type: 'number', minimum: 0 }, minItems: 2, maxItems: 3 },
    { type: 'number', minimum: 0 },
  ],
};

/** What a model accepts (docs/models.md); fields left out keep the built-in table's values. */
const CAPABILITIES: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    token_limit: { enum: ['max_tokens', 'max_completion_tokens'], description: 'the name of the completion-token cap the model takes' },
    temperature: { type: 'boolean', description: 'false: only the default (1)' },
    top_p: { type: 'boolean', description: 'false: only the default (1)' },
    stop: { type: 'boolean' },
    penalties: { type: 'boolean', description: 'presence_penalty and frequency_penalty' },
    reasoning_effort: { type: 'array', items: { type: 'string' }, description: 'the values accepted; [] for none' },
    verbosity: { type: 'array', items: { type: 'string' }, description: 'the values accepted; [] for none' },
    api: { enum: ['chat', 'responses'], description: 'responses: served by the Responses API only' },
  },
};

/** An eval: a module path, `builtin:NAME`, or `{builtin: NAME, ...options}`. */
const EVAL: JsonSchema = {
  description: 'how responses are scored: ./eval.mjs (default export (responses, row) => metrics), builtin:NAME, or {builtin: NAME, field: …}',
  anyOf: [
    { type: 'string', minLength: 1 },
    { type: 'object', required: ['builtin'], properties: { builtin: { type: 'string' } } },
  ],
};

/** One endpoint of a config list (request parameters may sit beside the endpoint keys). */
const ENDPOINT: JsonSchema = {
  type: 'object',
  properties: {
    base_url: { type: 'string' },
    api_key: { type: 'string', description: 'best as a reference: "${OPENAI_API_KEY}"' },
    api_type: { enum: ['openai', 'azure'] },
    api_version: { type: 'string' },
    organization: { type: 'string' },
    project: { type: 'string' },
    model: { type: 'string' },
    price: { ...price, description: 'USD per 1K [prompt, completion] (or [prompt, completion, cached prompt]) tokens for this endpoint' },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

/** Every top-level key: typed by TuneKey, so the registry and the schema cannot drift apart. */
const TOP_LEVEL: Record<TuneKey, JsonSchema> = {
  data: path('JSONL file of tuning rows (relative to this file); each row fills the {field}s of the prompt'),
  eval: EVAL,
  metric: { type: 'string', minLength: 1, description: 'the key of the eval result to optimise, e.g. success_vote' },
  mode: { enum: ['max', 'min'], description: 'maximise or minimise the metric (default max)' },
  inference_budget: usd('USD per data instance, all n samples included, e.g. 0.002'),
  optimization_budget: usd('USD of new (uncached) spend for the whole search, e.g. 1.0'),
  num_samples: { type: 'integer', minimum: -1, not: { const: 0 }, description: 'max trials; -1 = until the budget is spent' },
  seed: { type: ['integer', 'string'], pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$', description: 'cache seed: the cache lives in {cache_path_root}/{seed} (default 41)' },
  search_seed: { type: 'integer', minimum: 0, description: 'seed of the search itself (default 0)' },
  concurrency: { type: 'integer', minimum: 1, description: 'requests in flight at once (default 8)' },
  log_file: path('trial log (JSONL), relative to this file'),
  prices: { type: 'object', additionalProperties: price, description: 'USD per 1K [prompt, completion] (or [prompt, completion, cached prompt]) tokens, by model' },
  config_list: { type: 'array', items: ENDPOINT, description: 'endpoints tried in order (default: OAI_CONFIG_LIST, then OPENAI_API_KEY/OPENAI_BASE_URL)' },
  search_space: searchSpaceSchema(),
  searcher: { enum: ['default', 'random'], description: 'default (cost-aware) or random' },
  cache_path_root: path('cache root (default .cache)'),
  request_timeout: seconds('seconds before one request is given up'),
  retry_timeout: seconds('seconds of retrying before a request fails'),
  max_line_bytes: { type: 'integer', minimum: 1, description: 'longest data line accepted, in bytes (default 16 MiB)' },
  max_response_bytes: { type: 'integer', minimum: 1, description: 'largest response body accepted, as sent and decompressed, in bytes (default 16 MiB)' },
  allow_format_str_template: { type: 'boolean', description: 'fill {field}s of the prompt from the row (default true)' },
  model_capabilities: { type: 'object', additionalProperties: CAPABILITIES, description: 'what models accept, by name or prefix*, over the built-in table (docs/models.md)' },
};

/** `search_space`: each request key takes a value, a list (a choice) or a domain. */
function searchSpaceSchema(): JsonSchema {
  return {
    type: 'object',
    description: 'request parameters to search: a value, a list to choose from, or a domain ({uniform: [a, b]}, {randint: [a, b]}, …)',
    required: ['model'],
    additionalProperties: false,
    properties: Object.fromEntries(Object.entries(SEARCH_SPACE_KEYS).map(([key, spec]) => [key, keySchema(spec)])),
  };
}

function keySchema(spec: KeySpec): JsonSchema {
  if (spec.kind === 'group') {
    return { type: 'array', minItems: 1, items: { type: 'object' }, description: 'one of these sub-spaces is chosen per trial' };
  }
  const value = valueSchema(spec);
  const choices: JsonSchema[] = [
    { type: 'object', required: ['const'], additionalProperties: false, properties: { const: {} } },
    { type: 'object', required: ['choice'], additionalProperties: false, properties: { choice: { type: 'array', minItems: 1 } } },
  ];
  // a list of mappings is one value of these keys; a list of lists chooses among values
  const listValued = spec.kind === 'messages' || spec.kind === 'objectList';
  // model may also be a list of per-model sub-spaces ({model: gpt-4, temperature: …})
  const item = spec.kind === 'model' ? { anyOf: [value, { type: 'object' }] } : value;
  const list: JsonSchema = listValued ? { type: 'array', minItems: 1, items: { type: 'array' } } : { type: 'array', minItems: 1, items: item };
  if (spec.kind === 'number' || spec.kind === 'int') {
    const bound = { type: spec.kind === 'int' ? 'integer' : 'number' };
    const pair = { type: 'array', items: bound, minItems: 2, maxItems: 2 };
    const domain = (name: string, arity: JsonSchema): JsonSchema => ({ type: 'object', required: [name], additionalProperties: false, properties: { [name]: arity } });
    const numeric = spec.kind === 'int'
      ? [domain('randint', pair), domain('lograndint', pair)]
      : [domain('uniform', pair), domain('loguniform', pair), domain('quniform', { type: 'array', items: { type: 'number' }, minItems: 3, maxItems: 3 })];
    return { anyOf: [value, list, ...choices, ...numeric] };
  }
  return { anyOf: [value, list, ...choices] };
}

function valueSchema(spec: KeySpec): JsonSchema {
  const range = { ...(spec.min !== undefined ? { minimum: spec.min } : {}), ...(spec.max !== undefined ? { maximum: spec.max } : {}) };
  switch (spec.kind) {
    case 'number':
      return { type: 'number', ...range };
    case 'int':
      return { type: 'integer', ...range };
    case 'model':
      return { type: 'string', minLength: 1 };
    case 'template':
    case 'string':
      return { type: 'string' };
    case 'stop':
      return { anyOf: [{ type: 'null' }, { type: 'string' }, { type: 'array', items: { type: 'string' }, maxItems: 4 }] };
    case 'messages':
      return { type: 'array', minItems: 1, items: { type: 'object', required: ['role'], properties: { role: { type: 'string' } } } };
    case 'object':
      return { type: 'object' };
    case 'objectList':
      return { type: 'array', items: { type: 'object' } };
    case 'stringOrObject':
      return { type: ['string', 'object'] };
    case 'group':
      return { type: 'array' };
    case 'any':
      return {};
  }
}
