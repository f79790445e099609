import { ConfigError } from '../errors.js';
import { ChoiceDomain, ConstDomain, FloatDomain, IntDomain, SubSpace, isNumericDomain, type Domain } from './domains.js';
import { encodeConfig, flattenDimensions, resolvePoint, type Entries } from './point-codec.js';
import type { Rng } from './rng.js';
import type { Config, Dimension, Point } from './types.js';
import { roundedCanonicalJson, isPlainObject } from './values.js';

/**
 * An immutable search space over LLM request parameters, built by `parseSearchSpace` from the
 * YAML `search_space:` mapping (or directly from domains). It samples configs, converts between
 * configs and structural {@link Point}s for local search, and gives every config a canonical
 * {@link SearchSpace.key | key} so equal configs dedupe.
 *
 * Structural validity (known keys, value ranges, no key given twice) is the parser's job; the
 * constructor only freezes the entries and flattens the dimensions.
 *
 * @example
 * ```ts
 * const space = new SearchSpace({
 *   model: new ConstDomain('gpt-4'),
 *   temperature: new FloatDomain({ low: 0, high: 2 }),
 *   n: new IntDomain({ low: 1, high: 5 }),
 * });
 * const config = space.sample(createRng(41)); // { model: 'gpt-4', temperature: 1.374, n: 2 }
 * space.decode(space.encode(config));          // equal to config
 * ```
 */
export class SearchSpace {
  /** The top-level entries: request key (or `temperature_or_top_p`) to domain. */
  readonly entries: Entries;
  /** All dimensions, depth-first; a choice comes before the dimensions of its options. */
  readonly dimensions: readonly Dimension[];
  readonly #byKey: ReadonlyMap<string, Dimension>;

  constructor(entries: Readonly<Record<string, Domain>>) {
    this.entries = Object.freeze({ ...entries });
    this.dimensions = Object.freeze(flattenDimensions(this.entries));
    this.#byKey = new Map(this.dimensions.map((d) => [d.key, d]));
    Object.freeze(this);
  }

  /** The dimension with key `key` (`path.join('.')`). */
  dimension(key: string): Dimension | undefined {
    return this.#byKey.get(key);
  }

  /** A random config (uniform over choices, per-domain sampling for numbers). */
  sample(rng: Rng): Config {
    return this.decode(this.samplePoint(rng));
  }

  /** A random point, canonical (`encode(decode(p))` equals it). */
  samplePoint(rng: Rng): Point {
    return this.#encodeOrThrow(resolvePoint(this.entries, { choices: {}, unit: {} }, rng));
  }

  /**
   * The config at `point`. Coordinates of inactive dimensions are ignored.
   *
   * @throws Error when an active dimension has no coordinate (see {@link SearchSpace.completePoint}).
   */
  decode(point: Point): Config {
    return resolvePoint(this.entries, point);
  }

  /**
   * The canonical point of a config, or of a point (dropping inactive coordinates and snapping
   * numbers to canonical values).
   *
   * @throws ConfigError when the config is not in the space, naming the offending key.
   */
  encode(configOrPoint: Config | Point): Point {
    const config = isPoint(configOrPoint) ? this.decode(configOrPoint) : configOrPoint;
    return this.#encodeOrThrow(config);
  }

  /**
   * Fills the coordinates a point lacks with random draws and returns it canonical. A local
   * searcher that switches a choice option uses this for the newly active dimensions.
   */
  completePoint(point: Point, rng: Rng): Point {
    return this.#encodeOrThrow(resolvePoint(this.entries, point, rng));
  }

  /** True when `config` has exactly the space's keys, each inside its domain. */
  contains(config: Config): boolean {
    return 'point' in encodeConfig(this.entries, config);
  }

  /**
   * The canonical identity of a config: sorted keys, `undefined` dropped, non-integers rounded to
   * 4 significant digits. Equal configs (in any key order) have equal keys.
   */
  key(config: Config): string {
    return roundedCanonicalJson(config);
  }

  /** The dimensions active at `point` (those whose enclosing choices select their option). */
  activeDims(point: Point): Dimension[] {
    const active = new Set<string>();
    const out: Dimension[] = [];
    for (const dim of this.dimensions) {
      const cond = dim.condition;
      if (cond) {
        const choiceKey = cond.choicePath.join('.');
        if (!active.has(choiceKey) || point.choices[choiceKey] !== cond.optionIndex) continue;
      }
      active.add(dim.key);
      out.push(dim);
    }
    return out;
  }

  /** The active numeric ({@link FloatDomain} / {@link IntDomain}) dimensions at `point`. */
  numericDims(point: Point): Dimension[] {
    return this.activeDims(point).filter((d) => isNumericDomain(d.domain));
  }

  /** True when request key `name` is present and always takes the same value. */
  isConstant(name: string): boolean {
    const dims = this.dimensions.filter((d) => d.name === name);
    const only = dims[0];
    if (dims.length !== 1 || only === undefined || only.condition) return false;
    return only.domain instanceof ConstDomain || (only.domain instanceof ChoiceDomain && only.domain.options.length === 1);
  }

  /** The domain of the first dimension named `name` (a request key or `temperature_or_top_p`). */
  domainOf(name: string): Domain | undefined {
    return this.dimensions.find((d) => d.name === name)?.domain;
  }

  /**
   * Every value request key `name` can take, when that set is finite: constants and literal choice
   * options across all its dimensions, without duplicates (so `choicesOf('model')` lists every
   * model, hierarchical or not). For `temperature_or_top_p` it returns the {@link SubSpace}s.
   * `undefined` when the key is absent or numeric.
   */
  choicesOf(name: string): readonly unknown[] | undefined {
    const all = this.dimensions.filter((d) => d.name === name);
    if (all.length === 0 || all.some((d) => isNumericDomain(d.domain))) return undefined;
    const isGroup = (d: Dimension): boolean => d.domain instanceof ChoiceDomain && d.domain.hasSubspaces;
    // A hierarchical `model` choice is described by the `model` values inside its options.
    const dims = all.some((d) => !isGroup(d)) ? all.filter((d) => !isGroup(d)) : all;
    const seen = new Set<string>();
    const out: unknown[] = [];
    for (const d of dims) {
      const values = d.domain instanceof ChoiceDomain ? d.domain.options : [(d.domain as ConstDomain).value];
      for (const v of values) {
        const id = v instanceof SubSpace ? `#${out.length}` : roundedCanonicalJson(v);
        if (!seen.has(id)) out.push(v);
        seen.add(id);
      }
    }
    return Object.freeze(out);
  }

  /**
   * Every prompt template and every string message `content` in the space (text parts of list
   * contents included), without duplicates, so the loader can check `{field}` placeholders.
   */
  templates(): readonly string[] {
    const out = new Set<string>();
    for (const value of this.choicesOf('prompt') ?? []) if (typeof value === 'string') out.add(value);
    for (const list of this.choicesOf('messages') ?? []) {
      if (!Array.isArray(list)) continue;
      for (const message of list) for (const text of messageTexts(message)) out.add(text);
    }
    return Object.freeze([...out]);
  }

  /**
   * Number of distinct configs, or `Infinity` when a real-valued dimension without `q` is present.
   * Lets a deduplicating searcher know it has exhausted a small discrete space.
   */
  cardinality(): number {
    return countEntries(this.entries);
  }

  /** The YAML syntax (domain keywords) that parses back into this space. */
  toJSON(): Record<string, unknown> {
    return Object.fromEntries(Object.entries(this.entries).map(([k, d]) => [k, d.toJSON()]));
  }

  #encodeOrThrow(config: Config): Point {
    const result = encodeConfig(this.entries, config);
    if ('point' in result) return result.point;
    throw new ConfigError(`config is not in the search space: ${result.reason}`, {
      code: 'E_CONFIG_NOT_IN_SPACE',
      hint: 'give a value for every key of search_space, inside its domain, and no other keys',
    });
  }
}

function isPoint(value: Config | Point): value is Point {
  const keys = Object.keys(value);
  return keys.length === 2 && isPlainObject(value['choices']) && isPlainObject(value['unit']);
}

function messageTexts(message: unknown): string[] {
  if (!isPlainObject(message)) return [];
  const content = message['content'];
  if (typeof content === 'string') return [content];
  if (!Array.isArray(content)) return [];
  return content.flatMap((part) => (isPlainObject(part) && typeof part['text'] === 'string' ? [part['text']] : []));
}

function countEntries(entries: Entries): number {
  let total = 1;
  for (const domain of Object.values(entries)) total *= countDomain(domain);
  return total;
}

function countDomain(domain: Domain): number {
  if (domain instanceof ConstDomain) return 1;
  if (domain instanceof IntDomain) return domain.size;
  if (domain instanceof FloatDomain) {
    if (domain.q === undefined) return domain.low === domain.high ? 1 : Infinity;
    return Math.round((domain.fromUnit(1) - domain.fromUnit(0)) / domain.q) + 1;
  }
  if (domain.hasSubspaces) return domain.options.reduce<number>((sum, o) => sum + countEntries((o as SubSpace).entries), 0);
  return new Set(domain.options.map((o) => roundedCanonicalJson(o))).size;
}
