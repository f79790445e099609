import { applyDefaults } from './defaults.js';
import { ChoiceDomain, ConstDomain, FloatDomain, IntDomain, SubSpace, type Domain } from './domains.js';
import type { Locator } from './locator.js';
import { ParseContext, ROOT, at, deeper, type Loc } from './parse-context.js';
import { DOMAIN_KEYWORDS, SEARCH_SPACE_KEY_NAMES, SEARCH_SPACE_KEYS, checkValue, closest, describeRange, type KeySpec } from './request-keys.js';
import { SearchSpace } from './search-space.js';
import { isPlainObject, show, typeName } from './values.js';

export { makeLocator, type Locator } from './locator.js';

/** Options of {@link parseSearchSpace}. */
export interface ParseSpaceOptions {
  /** The file name put on errors (`tune.yaml`). */
  file?: string;
  /** Maps a key path from the document root to a 1-based line (see `makeLocator`). */
  locate?: Locator;
  /** Key path of the mapping inside the document; default `['search_space']`. */
  basePath?: readonly string[];
  /** Add the original's defaults first (see `applyDefaults`); default true. */
  defaults?: boolean;
}

/** The outcome of {@link parseSearchSpace}. */
export interface ParsedSpace {
  readonly space: SearchSpace;
  /** Allowed but discouraged settings, e.g. searching `temperature` and `top_p` together. */
  readonly warnings: readonly string[];
  /** Keys filled in from the default space, e.g. `['max_tokens', 'n']`. */
  readonly defaultsApplied: readonly string[];
}

/**
 * Parses the plain value of a `search_space:` mapping (from YAML or JSON) into a
 * {@link SearchSpace}. Pure: it reads nothing and logs nothing.
 *
 * Syntax of a value: a scalar is a constant; a list is a choice (for `messages`, `functions` and
 * `tools` a list of mappings is one constant value and a list of lists is a choice);
 * `{const: v}`, `{choice: [...]}`, `{uniform: [a, b]}`, `{loguniform: [a, b]}`,
 * `{quniform: [a, b, q]}`, `{randint: [a, b]}` and `{lograndint: [a, b]}` (integer bounds
 * inclusive). `temperature_or_top_p` is a list of sub-spaces, one of which is chosen and
 * flattened into the config; `model` may be one too (a hierarchical, per-model space).
 *
 * @throws ConfigError with file, line, `field` (e.g. `search_space.max_tokens`) and a hint for an
 * unknown key or keyword, a wrong type or arity, a bad or out-of-range bound, an empty choice, a
 * key given twice, or `prompt` together with `messages`.
 *
 * @example
 * ```ts
 * const { space, defaultsApplied } = parseSearchSpace(
 *   { model: 'gpt-4', temperature: { uniform: [0, 1] } },
 *   { file: 'tune.yaml' },
 * );
 * defaultsApplied; // ['max_tokens', 'n', 'prompt']
 * ```
 */
export function parseSearchSpace(value: unknown, options: ParseSpaceOptions = {}): ParsedSpace {
  const { defaults = true, ...where } = options;
  const ctx = new ParseContext(where);
  const { value: raw, applied } = defaults ? applyDefaults(value) : { value: value ?? {}, applied: [] };
  if (!isPlainObject(raw)) {
    throw ctx.error(ROOT, `search_space must be a mapping of request keys to values or domains, got ${typeName(raw)}`,
      'write e.g. search_space: {model: gpt-4, temperature: {uniform: [0, 1]}}');
  }
  const entries = parseMapping(raw, ROOT, ctx);
  return Object.freeze({ space: new SearchSpace(entries), warnings: Object.freeze(warningsOf(entries, ctx)), defaultsApplied: applied });
}

/** One key being parsed: its name, rules and location. */
interface Site {
  readonly name: string;
  readonly spec: KeySpec;
  readonly loc: Loc;
}

function parseMapping(raw: Record<string, unknown>, loc: Loc, ctx: ParseContext): Record<string, Domain> {
  const entries: Record<string, Domain> = {};
  for (const [name, value] of Object.entries(raw)) {
    const keyLoc = at(loc, name);
    const spec = Object.hasOwn(SEARCH_SPACE_KEYS, name) ? SEARCH_SPACE_KEYS[name] : undefined;
    if (spec === undefined) {
      const guess = closest(name, SEARCH_SPACE_KEY_NAMES);
      throw ctx.error(keyLoc, `\`${name}\` is not a known request key${guess ? `; did you mean \`${guess}\`?` : ''}`,
        `known keys: ${SEARCH_SPACE_KEY_NAMES.join(', ')}`);
    }
    if (ctx.group === 'temperature_or_top_p' && name === 'temperature_or_top_p') {
      throw ctx.error(keyLoc, '`temperature_or_top_p` cannot be nested inside itself', 'give temperature or top_p in each option');
    }
    entries[name] = parseEntry({ name, spec, loc: keyLoc }, value, ctx);
  }
  checkGivenOnce(entries, loc, ctx);
  return entries;
}

function parseEntry(site: Site, value: unknown, ctx: ParseContext): Domain {
  if (site.spec.kind === 'group') return parseGroup(site, value, ctx);
  if (isPlainObject(value)) {
    const keyword = keywordOf(site, value, ctx);
    if (keyword === undefined) return constant(site, value, ctx);
    const args = value[keyword];
    const inner: Site = { ...site, loc: deeper(site.loc, keyword) };
    if (keyword === 'const') return constant(inner, args, ctx);
    if (keyword === 'choice') {
      if (!Array.isArray(args)) throw ctx.error(inner.loc, `\`${site.name}\`: \`choice\` takes a list of options, got ${typeName(args)}`);
      return parseChoice(inner, args, ctx);
    }
    return parseNumeric(inner, keyword, args, ctx);
  }
  if (Array.isArray(value)) {
    const { kind } = site.spec;
    if (kind !== 'messages' && kind !== 'objectList') return parseChoice(site, value, ctx);
    if (value.length > 0 && value.every(isPlainObject)) return constant(site, value, ctx);
    if (value.every(Array.isArray)) return parseChoice(site, value, ctx);
    throw ctx.error(site.loc, `\`${site.name}\`: a list of mappings is one value and a list of lists is a choice; got a mix`,
      `write ${site.name}: [[...], [...]] to choose between lists`);
  }
  return constant(site, value, ctx);
}

/** The domain keyword of a mapping value, or undefined when it is a literal (object-valued keys). */
function keywordOf(site: Site, value: Record<string, unknown>, ctx: ParseContext): string | undefined {
  const keys = Object.keys(value);
  const keywords = keys.filter((k) => DOMAIN_KEYWORDS.includes(k));
  const literalAllowed = site.spec.kind === 'object' || site.spec.kind === 'stringOrObject';
  if (keywords.length === 0 && literalAllowed) return undefined;
  if (keys.length === 1 && keywords.length === 1) return keywords[0];
  const hint = `valid keywords: ${DOMAIN_KEYWORDS.join(', ')}; a list [a, b] is a choice and a scalar a constant`;
  if (keys.length === 0) throw ctx.error(site.loc, `\`${site.name}\`: an empty mapping is neither a value nor a domain`, hint);
  if (keywords.length === 0) {
    const guess = closest(keys[0] ?? '', DOMAIN_KEYWORDS);
    throw ctx.error(site.loc, `\`${site.name}\`: unknown domain keyword \`${keys[0]}\`${guess ? `; did you mean \`${guess}\`?` : ''}`, hint);
  }
  throw ctx.error(site.loc, `\`${site.name}\`: a domain is a mapping with exactly one keyword, got keys ${keys.join(', ')}`, hint);
}

function constant(site: Site, value: unknown, ctx: ParseContext): ConstDomain {
  if (value === null && site.spec.kind !== 'stop') {
    throw ctx.error(site.loc, `\`${site.name}\`: null is not a value`, 'remove the key to leave the parameter unset');
  }
  const problem = checkValue(site.spec, value);
  if (problem !== undefined) throw ctx.error(site.loc, `\`${site.name}\` ${problem}`, hintFor(site));
  return ctx.wrap(site.loc, () => new ConstDomain(value, site.name));
}

function parseChoice(site: Site, options: readonly unknown[], ctx: ParseContext): ChoiceDomain {
  if (site.spec.kind === 'model' && options.some(isPlainObject)) return parseModelGroup(site, options, ctx);
  options.forEach((option, i) => {
    const problem = option === null && site.spec.kind !== 'stop' ? 'must not be null' : checkValue(site.spec, option);
    if (problem !== undefined) throw ctx.error(at(site.loc, String(i)), `\`${site.name}\` option ${i} ${problem}`, hintFor(site));
  });
  return ctx.wrap(site.loc, () => new ChoiceDomain(options, site.name));
}

function parseNumeric(site: Site, keyword: string, args: unknown, ctx: ParseContext): FloatDomain | IntDomain {
  const { name, spec, loc } = site;
  if (spec.kind !== 'number' && spec.kind !== 'int') {
    throw ctx.error(loc, `\`${name}\` is not numeric, so it cannot take \`${keyword}\``, 'use a list [a, b] for a choice or a scalar for a constant');
  }
  const isInt = keyword === 'randint' || keyword === 'lograndint';
  if (spec.kind === 'int' && !isInt) {
    throw ctx.error(loc, `\`${name}\` takes integers: use randint or lograndint, got \`${keyword}\``, `e.g. ${name}: {randint: [1, 10]}`);
  }
  const shape = keyword === 'quniform' ? '[low, high, q]' : '[low, high]';
  if (!Array.isArray(args) || args.length !== shape.split(',').length || !args.every((a) => typeof a === 'number')) {
    throw ctx.error(loc, `\`${name}\`: \`${keyword}\` takes ${shape} as numbers, got ${show(args)}`, `e.g. ${name}: {${keyword}: ${example(keyword)}}`);
  }
  const [low, high, q] = args as number[];
  const domain = ctx.wrap(loc, () =>
    isInt
      ? new IntDomain({ low: low as number, high: high as number, log: keyword === 'lograndint' }, name)
      : new FloatDomain({ low: low as number, high: high as number, log: keyword === 'loguniform', ...(q === undefined ? {} : { q }) }, name),
  );
  if ((spec.min !== undefined && domain.low < spec.min) || (spec.max !== undefined && domain.high > spec.max)) {
    throw ctx.error(loc, `\`${name}\` must be ${describeRange(spec)}, got ${keyword} [${args.join(', ')}]`, `narrow the range to ${describeRange(spec)}`);
  }
  return domain;
}

function example(keyword: string): string {
  if (keyword === 'quniform') return '[0, 1, 0.1]';
  if (keyword === 'lograndint') return '[50, 1000]';
  if (keyword === 'randint') return '[1, 10]';
  return keyword === 'loguniform' ? '[0.01, 1]' : '[0, 1]';
}

/** `temperature_or_top_p`: a list (or `{choice: [...]}`, or one mapping) of sub-spaces. */
function parseGroup(site: Site, value: unknown, ctx: ParseContext): ChoiceDomain {
  const isKeywordless = isPlainObject(value) && !Object.keys(value).some((k) => DOMAIN_KEYWORDS.includes(k));
  if (isPlainObject(value) && Object.keys(value).length === 1 && Array.isArray(value['choice'])) {
    return subspaceChoice({ ...site, loc: deeper(site.loc, 'choice') }, value['choice'], ctx);
  }
  if (Array.isArray(value)) return subspaceChoice(site, value, ctx);
  if (isKeywordless && Object.keys(value).length > 0) {
    const inner = parseMapping(value, site.loc, ctx.inside(site.name));
    return ctx.wrap(site.loc, () => new ChoiceDomain([new SubSpace(inner)], site.name));
  }
  throw ctx.error(site.loc, `\`${site.name}\` takes a list of sub-spaces, got ${show(value)}`,
    `write ${site.name}: [{temperature: {uniform: [0, 2]}}, {top_p: {uniform: [0, 1]}}]`);
}

function subspaceChoice(site: Site, options: readonly unknown[], ctx: ParseContext): ChoiceDomain {
  const subspaces = options.map((option, i) => {
    const optionLoc = at(site.loc, String(i));
    if (!isPlainObject(option) || Object.keys(option).length === 0) {
      throw ctx.error(optionLoc, `\`${site.name}\` option ${i} must be a non-empty mapping of request keys, got ${show(option)}`,
        'e.g. {temperature: {uniform: [0, 2]}}');
    }
    return new SubSpace(parseMapping(option, optionLoc, ctx.inside(site.name)));
  });
  return ctx.wrap(site.loc, () => new ChoiceDomain(subspaces, site.name));
}

/** `model: [{model: gpt-4, max_tokens: …}, {model: gpt-3.5-turbo, …}]`: one sub-space per model. */
function parseModelGroup(site: Site, options: readonly unknown[], ctx: ParseContext): ChoiceDomain {
  const hint = 'write model: [{model: gpt-4, n: {randint: [1, 5]}}, {model: gpt-3.5-turbo, n: {randint: [1, 20]}}]';
  if (ctx.group === 'model') throw ctx.error(site.loc, 'hierarchical `model` choices cannot be nested', hint);
  options.forEach((option, i) => {
    if (!isPlainObject(option) || !Object.hasOwn(option, 'model')) {
      throw ctx.error(at(site.loc, String(i)), `\`model\` option ${i} must be a mapping that sets \`model\`, got ${show(option)}`, hint);
    }
  });
  return subspaceChoice(site, options, ctx);
}

function hintFor(site: Site): string {
  switch (site.spec.kind) {
    case 'stop':
      return 'each stop option is null, a string or a list of up to 4 strings; use {const: [...]} for one list of stops';
    case 'messages':
      return 'a message is {role: user, content: "..."}; a list of message lists is a choice';
    case 'number':
    case 'int':
      return `${site.name} must be ${describeRange(site.spec)}${site.spec.kind === 'int' ? ' (an integer)' : ''}`;
    default:
      return `see the search_space syntax in the autotune docs for \`${site.name}\``;
  }
}

/** Each request key may be set once per config; `prompt` and `messages` exclude each other. */
function checkGivenOnce(entries: Record<string, Domain>, loc: Loc, ctx: ParseContext): void {
  const owner = new Map<string, { entry: string; key: string }>();
  for (const [name, domain] of Object.entries(entries)) {
    for (const key of givenBy(name, domain)) {
      const slot = key === 'messages' ? 'prompt' : key === 'max_completion_tokens' ? 'max_tokens' : key;
      const prev = owner.get(slot);
      if (prev !== undefined && prev.entry !== name) {
        if (prev.key !== key && slot === 'max_tokens') {
          throw ctx.error(at(loc, name), '`max_tokens` and `max_completion_tokens` are one cap and cannot both be given',
            'give one of them: autotune sends it under the name each model takes');
        }
        if (prev.key !== key) {
          throw ctx.error(at(loc, name), '`prompt` and `messages` cannot both be given',
            'use prompt for completion-style templates or messages for chat templates, not both');
        }
        throw ctx.error(at(loc, name), `\`${key}\` is given twice: by \`${prev.entry}\` and by \`${name}\``,
          `give ${key} once: at the top level or inside the options of ${prev.entry === key ? name : prev.entry}`);
      }
      owner.set(slot, { entry: name, key });
    }
  }
}

function givenBy(name: string, domain: Domain): Set<string> {
  if (!(domain instanceof ChoiceDomain && domain.hasSubspaces)) return new Set([name]);
  const keys = new Set<string>();
  for (const option of domain.options) {
    for (const [k, d] of Object.entries((option as SubSpace).entries)) for (const key of givenBy(k, d)) keys.add(key);
  }
  return keys;
}

function warningsOf(entries: Record<string, Domain>, ctx: ParseContext): string[] {
  const t = entries['temperature'];
  const p = entries['top_p'];
  if (t === undefined || p === undefined || (t instanceof ConstDomain && p instanceof ConstDomain)) return [];
  const err = ctx.error(at(ROOT, 'top_p'), '');
  const where = err.location === '' ? '' : `${err.location}: `;
  return [`${where}temperature and top_p are not recommended to vary together; search one of them, or use temperature_or_top_p`];
}
