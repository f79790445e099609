import { ChoiceDomain, ConstDomain, SubSpace, type Domain } from './domains.js';
import type { Rng } from './rng.js';
import type { Config, Dimension, Point } from './types.js';
import { show } from './values.js';

/**
 * Walks a tree of domains (the top-level entries of a space, with {@link SubSpace} options inside
 * choices) to flatten it, to turn points into configs and back. Private to `space/`.
 */
export type Entries = Readonly<Record<string, Domain>>;

/** The depth-first list of dimensions; a choice comes before the dimensions of its options. */
export function flattenDimensions(entries: Entries, prefix: readonly string[] = [], condition?: Dimension['condition']): Dimension[] {
  const out: Dimension[] = [];
  for (const [name, domain] of Object.entries(entries)) {
    const path = Object.freeze([...prefix, name]);
    out.push(Object.freeze({ key: path.join('.'), path, name, domain, ...(condition ? { condition } : {}) }));
    if (domain instanceof ChoiceDomain && domain.hasSubspaces) {
      domain.options.forEach((option, optionIndex) => {
        const inner = Object.freeze({ choicePath: path, optionIndex });
        out.push(...flattenDimensions((option as SubSpace).entries, [...path, String(optionIndex)], inner));
      });
    }
  }
  return out;
}

/**
 * The config at `point`. A coordinate the point lacks is drawn from `fill` when given (a random
 * completion), else it is an error: a searcher built an incomplete point.
 */
export function resolvePoint(entries: Entries, point: Point, fill?: Rng): Config {
  const out: Record<string, unknown> = {};
  decodeInto(entries, [], point, fill, out);
  return Object.freeze(out);
}

function decodeInto(entries: Entries, prefix: string[], point: Point, fill: Rng | undefined, out: Record<string, unknown>): void {
  for (const [name, domain] of Object.entries(entries)) {
    const path = [...prefix, name];
    const key = path.join('.');
    if (domain instanceof ConstDomain) {
      out[name] = domain.value;
    } else if (domain instanceof ChoiceDomain) {
      const index = point.choices[key] ?? (fill ? domain.sampleIndex(fill) : missing(key));
      if (!Number.isInteger(index) || index < 0 || index >= domain.options.length) {
        throw new RangeError(`point: choice "${key}" has ${domain.options.length} options, got index ${index}`);
      }
      const option = domain.options[index];
      if (option instanceof SubSpace) decodeInto(option.entries, [...path, String(index)], point, fill, out);
      else out[name] = option;
    } else {
      const u = point.unit[key] ?? (fill ? fill.next() : missing(key));
      out[name] = domain.fromUnit(u);
    }
  }
}

function missing(key: string): never {
  throw new Error(`point has no coordinate for the active dimension "${key}"`);
}

/**
 * The point of a config, or a reason why the config is not in the space (a missing, extra or
 * out-of-domain key).
 */
export function encodeConfig(entries: Entries, config: Config): { point: Point } | { reason: string } {
  const acc: Accumulator = { choices: {}, unit: {}, used: new Set() };
  const reason = encodeInto(entries, [], config, acc);
  if (reason !== undefined) return { reason };
  const extra = Object.keys(config).filter((k) => config[k] !== undefined && !acc.used.has(k));
  if (extra.length > 0) return { reason: `${extra.map((k) => `\`${k}\``).join(', ')} not part of the search space` };
  return { point: Object.freeze({ choices: Object.freeze(acc.choices), unit: Object.freeze(acc.unit) }) };
}

interface Accumulator {
  choices: Record<string, number>;
  unit: Record<string, number>;
  used: Set<string>;
}

function encodeInto(entries: Entries, prefix: string[], config: Config, acc: Accumulator): string | undefined {
  for (const [name, domain] of Object.entries(entries)) {
    const path = [...prefix, name];
    const key = path.join('.');
    if (domain instanceof ChoiceDomain && domain.hasSubspaces) {
      const reason = encodeSubspaceChoice(domain, path, config, acc);
      if (reason !== undefined) return reason;
      continue;
    }
    const value = config[name];
    if (value === undefined) return `\`${name}\` is missing`;
    acc.used.add(name);
    if (domain instanceof ConstDomain) {
      if (!domain.contains(value)) return `\`${name}\` = ${show(value)} differs from the constant ${show(domain.value)}`;
    } else if (domain instanceof ChoiceDomain) {
      const index = domain.indexOf(value);
      if (index < 0) return `\`${name}\` = ${show(value)} is not one of the options ${show(domain.options)}`;
      acc.choices[key] = index;
    } else {
      if (!domain.contains(value)) return `\`${name}\` = ${show(value)} is outside ${show(domain.toJSON())}`;
      acc.unit[key] = domain.toUnit(value as number);
    }
  }
  return undefined;
}

function encodeSubspaceChoice(domain: ChoiceDomain, path: string[], config: Config, acc: Accumulator): string | undefined {
  const reasons: string[] = [];
  for (const [index, option] of domain.options.entries()) {
    const trial: Accumulator = { choices: { ...acc.choices }, unit: { ...acc.unit }, used: new Set(acc.used) };
    const reason = encodeInto((option as SubSpace).entries, [...path, String(index)], config, trial);
    if (reason === undefined) {
      Object.assign(acc.choices, trial.choices, { [path.join('.')]: index });
      Object.assign(acc.unit, trial.unit);
      for (const k of trial.used) acc.used.add(k);
      return undefined;
    }
    reasons.push(`option ${index}: ${reason}`);
  }
  return `no option of \`${path[path.length - 1]}\` matches (${reasons.join('; ')})`;
}
