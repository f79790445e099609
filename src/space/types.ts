import type { Domain } from './domains.js';

/**
 * One resolved set of request parameters, a frozen plain object such as
 * `{model: 'gpt-4', prompt: '{problem} …', temperature: 0.7, max_tokens: 300, n: 5, stop: null}`.
 * Choices of sub-spaces are already flattened (there is no `temperature_or_top_p` key).
 */
export type Config = Readonly<Record<string, unknown>>;

/**
 * A config's structural position in a space, for searchers that move locally: the chosen option
 * index of every active choice dimension and the [0, 1] position of every active numeric
 * dimension, both keyed by {@link Dimension.key}. Constants have no coordinate.
 */
export interface Point {
  readonly choices: Readonly<Record<string, number>>;
  readonly unit: Readonly<Record<string, number>>;
}

/** Where a conditional dimension lives: option `optionIndex` of the choice at `choicePath`. */
export interface DimensionCondition {
  readonly choicePath: readonly string[];
  readonly optionIndex: number;
}

/**
 * One dimension of a space, in a flat depth-first list. `path` is its position in the space,
 * e.g. `['temperature_or_top_p', '0', 'temperature']`; `key` is `path.join('.')`; `name` is the
 * request key it sets (`temperature`). Dimensions inside an option of a choice of sub-spaces carry
 * a `condition` and are active only when that option is chosen.
 */
export interface Dimension {
  readonly key: string;
  readonly path: readonly string[];
  readonly name: string;
  readonly domain: Domain;
  readonly condition?: DimensionCondition;
}
