import { REQUEST_PARAMETERS, type KeySpec } from '../config/request-parameters.js';

export { checkValue, describeRange, type KeySpec, type ValueKind } from '../config/request-parameters.js';
export { closest } from '../util/closest.js';

/**
 * Every key a `search_space` may hold, with its value rule: the searchable request parameters
 * (config/request-parameters.ts), plus the search-only group `temperature_or_top_p`.
 */
export const SEARCH_SPACE_KEYS: Readonly<Record<string, KeySpec>> = Object.freeze(
  Object.fromEntries(
    Object.entries(REQUEST_PARAMETERS)
      .filter(([, spec]) => spec.searchable !== false)
      // the group sits beside the two keys it chooses between (the order of messages and the schema)
      .flatMap(([key, spec]): Array<[string, KeySpec]> => (key === 'top_p' ? [[key, spec], ['temperature_or_top_p', Object.freeze({ kind: 'group' })]] : [[key, spec]])),
  ),
);

/** The key names of {@link SEARCH_SPACE_KEYS}. */
export const SEARCH_SPACE_KEY_NAMES: readonly string[] = Object.freeze(Object.keys(SEARCH_SPACE_KEYS));

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
