/**
 * An append-only list of numbers in a growable `Float64Array` (8 bytes per value, doubling
 * capacity), so per-metric values of 100k instances take ~800 KB instead of boxed JS arrays.
 *
 * @example
 * const buf = new FloatBuffer();
 * buf.push(1); buf.push(2);
 * buf.view(); // Float64Array [1, 2]
 */
export class FloatBuffer {
  #data: Float64Array;
  #length = 0;

  constructor(initialCapacity = 64) {
    this.#data = new Float64Array(Math.max(1, initialCapacity));
  }

  /** Number of values pushed. */
  get length(): number {
    return this.#length;
  }

  /** Append one value. */
  push(value: number): void {
    if (this.#length === this.#data.length) {
      const grown = new Float64Array(this.#data.length * 2);
      grown.set(this.#data);
      this.#data = grown;
    }
    this.#data[this.#length++] = value;
  }

  /** The values so far, as a view (no copy); invalidated by the next `push` that grows. */
  view(): Float64Array {
    return this.#data.subarray(0, this.#length);
  }
}
