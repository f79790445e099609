/**
 * Search spaces: domains, the YAML `search_space:` parser, the seeded RNG and the SearchSpace
 * value object. Only what other folders need is exported here.
 */
export { createRng, type Rng } from './rng.js';
export {
  FloatDomain,
  IntDomain,
  ChoiceDomain,
  ConstDomain,
  SubSpace,
  isDomain,
  isNumericDomain,
  type Domain,
  type NumericDomain,
  type FloatDomainSpec,
  type IntDomainSpec,
} from './domains.js';
export { SearchSpace } from './search-space.js';
export type { Config, Point, Dimension, DimensionCondition } from './types.js';
export { parseSearchSpace, type ParseSpaceOptions, type ParsedSpace } from './parse-space.js';
export { makeLocator, type Locator } from './locator.js';
export { applyDefaults, DEFAULT_SEARCH_SPACE, type DefaultsResult } from './defaults.js';
export { SEARCH_SPACE_KEYS, SEARCH_SPACE_KEY_NAMES, DOMAIN_KEYWORDS, type KeySpec, type ValueKind } from './request-keys.js';
