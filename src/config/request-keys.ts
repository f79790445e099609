import { KNOWN_KEYS } from '../space/request-keys.js';

/**
 * OpenAI request parameters allowed at the top level of a create/test config (a saved best
 * config is one): the search space's request keys, minus the search-only group
 * `temperature_or_top_p`, with OpenAI's sampling `seed` spelled `request_seed` (at the top level
 * `seed` is the cache seed, as in the original), plus a few pass-through parameters.
 */
export const REQUEST_KEYS: readonly string[] = [
  ...KNOWN_KEYS.filter((k) => k !== 'temperature_or_top_p' && k !== 'seed'),
  'request_seed',
  'logprobs',
  'top_logprobs',
  'function_call',
  'suffix',
  'echo',
  // force the endpoint: chat | completion | responses
  'api',
];

/** Keys of a run config that are autotune's own settings, shared by create/test/tune files. */
export const RUN_KEYS = [
  'eval',
  'metric',
  'mode',
  'agg_method',
  'prices',
  'config_list',
  'seed',
  'cache_path_root',
  'allow_format_str_template',
  'request_timeout',
  'retry_timeout',
  'max_line_bytes',
  'max_response_bytes',
  'concurrency',
  'filter',
  'tuning',
] as const;
