import { ConfigError } from '../errors.js';
import type { Rng } from './rng.js';
import { deepEqual, frozenCopy, isPlainObject, roundSignificant, show } from './values.js';

/**
 * Search-space domains: immutable value objects, validated on construction. A bad range throws a
 * {@link ConfigError} that states the broken invariant and the values, e.g.
 * "`max_tokens`: low <= high must hold, got low=500, high=50". The parser adds file, line and
 * field. The optional `label` argument only names the parameter in those messages.
 */
export type Domain = FloatDomain | IntDomain | ChoiceDomain | ConstDomain;

/** The domains that map to and from the unit interval: {@link FloatDomain} and {@link IntDomain}. */
export type NumericDomain = FloatDomain | IntDomain;

/** True for any of the four domain classes. */
export function isDomain(value: unknown): value is Domain {
  return (
    value instanceof FloatDomain || value instanceof IntDomain || value instanceof ChoiceDomain || value instanceof ConstDomain
  );
}

/** True for {@link FloatDomain} and {@link IntDomain}. */
export function isNumericDomain(value: unknown): value is NumericDomain {
  return value instanceof FloatDomain || value instanceof IntDomain;
}

function invariant(label: string, rule: string, got: string, hint?: string): never {
  throw new ConfigError(`\`${label}\`: ${rule} must hold, got ${got}`, hint === undefined ? {} : { hint });
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function checkUnit(u: number): number {
  if (Number.isNaN(u)) throw new RangeError('fromUnit: u must be a number in [0, 1], got NaN');
  return clamp(u, 0, 1);
}

/** Removes binary floating-point noise such as 0.30000000000000004. */
function clean(x: number): number {
  return Number(x.toPrecision(12));
}

/** Constructor arguments of {@link FloatDomain}. */
export interface FloatDomainSpec {
  low: number;
  high: number;
  log?: boolean;
  q?: number;
}

/**
 * A real-valued range [low, high] (both inclusive): `uniform: [a, b]`, `loguniform: [a, b]`
 * (a > 0; sampled uniformly in log space) or `quniform: [a, b, q]` (multiples of q).
 *
 * Values are canonical: rounded to a multiple of `q`, or else to 4 significant digits (APIs do not
 * distinguish finer temperatures, and equal configs must dedupe), then clamped into the range.
 *
 * @example
 * ```ts
 * const t = new FloatDomain({ low: 0, high: 2 }, 'temperature');
 * t.fromUnit(0.5); // 1
 * t.toUnit(1.5);   // 0.75
 * ```
 */
export class FloatDomain {
  readonly kind = 'float' as const;
  readonly low: number;
  readonly high: number;
  readonly log: boolean;
  readonly q?: number;
  readonly #lowQ: number;
  readonly #highQ: number;

  constructor(spec: FloatDomainSpec, label = 'value') {
    const { low, high, log = false, q } = spec;
    if (!Number.isFinite(low) || !Number.isFinite(high)) {
      invariant(label, 'finite low and high', `low=${show(low)}, high=${show(high)}`);
    }
    if (low > high) invariant(label, 'low <= high', `low=${low}, high=${high}`, 'swap the two bounds');
    if (log && low <= 0) {
      invariant(label, 'low > 0 for a log domain', `low=${low}`, 'use a positive lower bound such as 1e-3, or uniform');
    }
    this.low = low;
    this.high = high;
    this.log = log;
    this.#lowQ = low;
    this.#highQ = high;
    if (q !== undefined) {
      if (!Number.isFinite(q) || q <= 0) invariant(label, 'q > 0', `q=${show(q)}`);
      this.q = q;
      this.#lowQ = clean(Math.ceil(low / q - 1e-9) * q);
      this.#highQ = clean(Math.floor(high / q + 1e-9) * q);
      if (this.#lowQ > this.#highQ) {
        invariant(label, 'some multiple of q within [low, high]', `low=${low}, high=${high}, q=${q}`);
      }
    }
    Object.freeze(this);
  }

  /** Rounds to a multiple of q (or to 4 significant digits) and clamps into the range. */
  canonical(x: number): number {
    if (this.q !== undefined) return clamp(clean(Math.round(x / this.q) * this.q), this.#lowQ, this.#highQ);
    return clamp(roundSignificant(x), this.low, this.high);
  }

  /** A random value; log domains favour small values. */
  sample(rng: Rng): number {
    return this.fromUnit(rng.next());
  }

  /** True for a finite number in [low, high] (a multiple of q when q is set). */
  contains(value: unknown): boolean {
    if (typeof value !== 'number' || !Number.isFinite(value)) return false;
    if (value < this.low || value > this.high) return false;
    return this.q === undefined || Math.abs(value / this.q - Math.round(value / this.q)) < 1e-6;
  }

  /** Position of `value` in [0, 1] (in log space for log domains); out-of-range values are clamped. */
  toUnit(value: number): number {
    if (this.high === this.low) return 0;
    const v = clamp(value, this.low, this.high);
    if (this.log) return (Math.log(v) - Math.log(this.low)) / (Math.log(this.high) - Math.log(this.low));
    return (v - this.low) / (this.high - this.low);
  }

  /** The canonical value at unit position `u` (clamped into [0, 1]). */
  fromUnit(u: number): number {
    const t = checkUnit(u);
    const raw = this.log
      ? Math.exp(Math.log(this.low) + t * (Math.log(this.high) - Math.log(this.low)))
      : this.low + t * (this.high - this.low);
    return this.canonical(raw);
  }

  /** The YAML syntax that parses back into this domain. */
  toJSON(): Record<string, number[]> {
    if (this.q !== undefined) return { quniform: [this.low, this.high, this.q] };
    return { [this.log ? 'loguniform' : 'uniform']: [this.low, this.high] };
  }
}

/** Constructor arguments of {@link IntDomain}. */
export interface IntDomainSpec {
  low: number;
  high: number;
  log?: boolean;
}

/**
 * An integer range `randint: [a, b]` or `lograndint: [a, b]` (a >= 1, log-uniform).
 *
 * **Both bounds are inclusive.** This departs from FLAML, whose `randint(1, 20)` stops at 19:
 * users read `randint: [1, 20]` as 1..20.
 *
 * The unit mapping gives each integer an equal-width bucket (equal in log space for `lograndint`);
 * `toUnit` returns the bucket's centre, so `fromUnit(toUnit(k)) === k`.
 */
export class IntDomain {
  readonly kind = 'int' as const;
  readonly low: number;
  readonly high: number;
  readonly log: boolean;

  constructor(spec: IntDomainSpec, label = 'value') {
    const { low, high, log = false } = spec;
    if (!Number.isInteger(low) || !Number.isInteger(high)) {
      invariant(label, 'integer low and high', `low=${show(low)}, high=${show(high)}`, 'use uniform for real-valued ranges');
    }
    if (low > high) invariant(label, 'low <= high', `low=${low}, high=${high}`, 'swap the two bounds');
    if (log && low < 1) invariant(label, 'low >= 1 for lograndint', `low=${low}`, 'use randint, or a lower bound of 1');
    this.low = low;
    this.high = high;
    this.log = log;
    Object.freeze(this);
  }

  /** Number of integers in the range. */
  get size(): number {
    return this.high - this.low + 1;
  }

  /** A random integer in [low, high]; lograndint favours small values. */
  sample(rng: Rng): number {
    return this.fromUnit(rng.next());
  }

  /** True for an integer in [low, high]. */
  contains(value: unknown): boolean {
    return typeof value === 'number' && Number.isInteger(value) && value >= this.low && value <= this.high;
  }

  /** Centre of `value`'s bucket in [0, 1]; out-of-range values are clamped and rounded. */
  toUnit(value: number): number {
    const v = Math.round(clamp(value, this.low, this.high));
    if (this.log) {
      const span = Math.log(this.high + 1) - Math.log(this.low);
      return ((Math.log(v) + Math.log(v + 1)) / 2 - Math.log(this.low)) / span;
    }
    return (v - this.low + 0.5) / this.size;
  }

  /** The integer whose bucket holds unit position `u` (clamped into [0, 1]). */
  fromUnit(u: number): number {
    const t = checkUnit(u);
    const raw = this.log
      ? Math.exp(Math.log(this.low) + t * (Math.log(this.high + 1) - Math.log(this.low)))
      : this.low + t * this.size;
    return clamp(Math.floor(raw), this.low, this.high);
  }

  /** The YAML syntax that parses back into this domain. */
  toJSON(): Record<string, number[]> {
    return { [this.log ? 'lograndint' : 'randint']: [this.low, this.high] };
  }
}

/**
 * One option of a choice of sub-spaces: a frozen mapping from request keys to domains, e.g.
 * `{temperature: uniform[0, 2]}` inside `temperature_or_top_p`. When the option is chosen its
 * keys are flattened into the config.
 */
export class SubSpace {
  readonly entries: Readonly<Record<string, Domain>>;

  constructor(entries: Readonly<Record<string, Domain>>) {
    this.entries = Object.freeze({ ...entries });
    Object.freeze(this);
  }

  /** True when the flat config `value` has a value inside every entry's domain. */
  contains(value: unknown): boolean {
    if (!isPlainObject(value)) return false;
    return Object.entries(this.entries).every(([name, domain]) =>
      domain instanceof ChoiceDomain && domain.hasSubspaces ? domain.contains(value) : domain.contains(value[name]),
    );
  }

  /** The YAML syntax that parses back into this sub-space. */
  toJSON(): Record<string, unknown> {
    return Object.fromEntries(Object.entries(this.entries).map(([k, d]) => [k, d.toJSON()]));
  }
}

/**
 * A categorical choice. Options are literal values (strings, numbers, `null`, lists such as
 * message lists, objects such as a `response_format`) or, all of them, {@link SubSpace}s.
 * Options are deep-frozen copies.
 */
export class ChoiceDomain {
  readonly kind = 'choice' as const;
  readonly options: readonly unknown[];
  /** True when the options are {@link SubSpace}s whose keys are flattened into the config. */
  readonly hasSubspaces: boolean;

  constructor(options: readonly unknown[], label = 'value') {
    if (!Array.isArray(options) || options.length === 0) {
      invariant(label, 'at least one option in a choice', show(options), 'list the options, e.g. [a, b]');
    }
    const subspaces = options.filter((o) => o instanceof SubSpace).length;
    if (subspaces !== 0 && subspaces !== options.length) {
      invariant(label, 'all options sub-spaces or none', `${subspaces} of ${options.length} sub-spaces`);
    }
    this.options = Object.freeze(options.map((o) => (o instanceof SubSpace ? o : frozenCopy(o))));
    this.hasSubspaces = subspaces > 0;
    Object.freeze(this);
  }

  /** A uniformly chosen option index. */
  sampleIndex(rng: Rng): number {
    return rng.int(0, this.options.length - 1);
  }

  /** A uniformly chosen option (a {@link SubSpace} for a choice of sub-spaces). */
  sample(rng: Rng): unknown {
    return this.options[this.sampleIndex(rng)];
  }

  /** Index of the first option equal to `value` (or, for sub-spaces, containing it), else -1. */
  indexOf(value: unknown): number {
    return this.options.findIndex((o) => (o instanceof SubSpace ? o.contains(value) : deepEqual(o, value)));
  }

  /** True when some option equals (or, for sub-spaces, contains) `value`. */
  contains(value: unknown): boolean {
    return this.indexOf(value) >= 0;
  }

  /** The YAML syntax that parses back into this domain. */
  toJSON(): { choice: unknown[] } {
    return { choice: this.options.map((o) => (o instanceof SubSpace ? o.toJSON() : o)) };
  }
}

/** A fixed value (a deep-frozen copy); `undefined` is not a value. */
export class ConstDomain {
  readonly kind = 'const' as const;
  readonly value: unknown;

  constructor(value: unknown, label = 'value') {
    if (value === undefined) invariant(label, 'a defined constant', 'undefined');
    this.value = frozenCopy(value);
    Object.freeze(this);
  }

  /** Always the constant. */
  sample(_rng?: Rng): unknown {
    return this.value;
  }

  /** True when `value` equals the constant structurally. */
  contains(value: unknown): boolean {
    return deepEqual(this.value, value);
  }

  /** The YAML syntax that parses back into this domain. */
  toJSON(): { const: unknown } {
    return { const: this.value };
  }
}
