/** Every top-level key of a tune config. */
export const TUNE_KEYS = [
  'data',
  'eval',
  'metric',
  'mode',
  'inference_budget',
  'optimization_budget',
  'num_samples',
  'seed',
  'search_seed',
  'concurrency',
  'log_file',
  'prices',
  'config_list',
  'search_space',
  'searcher',
  'cache_path_root',
  'request_timeout',
  'retry_timeout',
  'max_line_bytes',
  'max_response_bytes',
  'allow_format_str_template',
  'model_capabilities',
] as const;

export type TuneKey = (typeof TUNE_KEYS)[number];
