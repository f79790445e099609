import { createHash } from 'node:crypto';
import { ConfigError } from '../errors.js';

/**
 * A seeded pseudo-random number generator. Core code draws every random number from an `Rng`
 * (never `Math.random`), so a tuning run is reproducible from its seed.
 *
 * An `Rng` has internal state that advances with each draw; it holds no module-level state, so
 * any number of generators can coexist in one process.
 *
 * @example
 * ```ts
 * const rng = createRng(41);
 * const t = rng.next();          // in [0, 1)
 * const k = rng.int(1, 6);       // 1..6 inclusive
 * const trial = rng.fork('trial-3'); // same stream however many draws `rng` has made
 * ```
 */
export interface Rng {
  /** The derivation key of this stream: `String(seed)` for a root, a JSON path for forks. */
  readonly seed: string;
  /** A float in [0, 1) with 53 bits of randomness. */
  next(): number;
  /** An integer in [lo, hiInclusive]; both bounds must be integers with lo <= hiInclusive. */
  int(lo: number, hiInclusive: number): number;
  /** A standard normal draw (mean 0, standard deviation 1), by the Box–Muller transform. */
  normal(): number;
  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** A shuffled copy of `items` (Fisher–Yates); the input is not modified. */
  shuffle<T>(items: readonly T[]): T[];
  /**
   * An independent stream derived from this stream's seed and `label` only: it does not depend
   * on how many draws this stream has made, so `rng.fork('trial-7')` is the same stream whether it
   * is forked first or after a thousand draws.
   */
  fork(label: string): Rng;
}

/**
 * Creates a seeded {@link Rng}. The seed `41` and the seed `'41'` give the same stream (a YAML
 * file may spell a seed either way).
 *
 * The generator is sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, 128-bit state),
 * seeded from the SHA-256 digest of the seed's derivation key, so nearby seeds and labels give
 * unrelated streams.
 *
 * @throws ConfigError when a numeric seed is not finite.
 */
export function createRng(seed: number | string): Rng {
  if (typeof seed === 'number' && !Number.isFinite(seed)) {
    throw new ConfigError(`seed must be a finite number or a string, got ${seed}`, {
      field: 'seed',
      hint: 'use an integer such as 41',
    });
  }
  return new Sfc32Rng(String(seed));
}

// --- internal ---

const TWO_POW_53 = 9007199254740992;

class Sfc32Rng implements Rng {
  readonly seed: string;
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seedKey: string) {
    this.seed = seedKey;
    const digest = createHash('sha256').update(seedKey, 'utf8').digest();
    this.#a = digest.readUInt32LE(0);
    this.#b = digest.readUInt32LE(4);
    this.#c = digest.readUInt32LE(8);
    this.#d = digest.readUInt32LE(12);
    // Warm up so the first outputs are well mixed even for an unlucky digest.
    for (let i = 0; i < 12; i++) this.#next32();
  }

  #next32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  next(): number {
    const hi = this.#next32() >>> 5; // 27 bits
    const lo = this.#next32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / TWO_POW_53;
  }

  int(lo: number, hiInclusive: number): number {
    if (!Number.isInteger(lo) || !Number.isInteger(hiInclusive) || lo > hiInclusive) {
      throw new RangeError(`rng.int(lo, hi): integers with lo <= hi required, got lo=${lo}, hi=${hiInclusive}`);
    }
    return lo + Math.floor(this.next() * (hiInclusive - lo + 1));
  }

  normal(): number {
    const u1 = 1 - this.next(); // (0, 1], so the logarithm is finite
    const u2 = this.next();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('rng.pick: the array must not be empty');
    return items[this.int(0, items.length - 1)] as T;
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const tmp = out[i] as T;
      out[i] = out[j] as T;
      out[j] = tmp;
    }
    return out;
  }

  fork(label: string): Rng {
    // JSON nesting keeps derivations unambiguous: fork('a/b') never equals fork('a').fork('b').
    return new Sfc32Rng(JSON.stringify([this.seed, label]));
  }
}
