import { REQUEST_PARAMETERS } from './request-parameters.js';

/**
 * The request parameters at the top level of a create/test config (a saved best config is
 * one): every parameter of the registry, with OpenAI's sampling `seed` spelled `request_seed`
 * (at the top level `seed` is the cache seed, as in the original).
 */
export const CONFIG_FILE_REQUEST_KEYS: readonly string[] = Object.keys(REQUEST_PARAMETERS).map((k) => (k === 'seed' ? 'request_seed' : k));

/** The request parameter a top-level key of a create/test config sets (`request_seed` → `seed`). */
export function parameterOfConfigKey(key: string): string {
  return key === 'request_seed' ? 'seed' : key;
}

/** Keys of a create/test config that are autotune's own settings, not request parameters. */
export const RUN_SETTING_KEYS = [
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
