/** Options of {@link mapOrdered}. */
export interface MapOrderedOptions<T, R> {
  /**
   * Items started but not yet handed to `sink` (in flight plus finished out of order): this
   * bounds both the concurrency and the reorder buffer, so memory stays flat for any input size.
   */
  window: number;
  /** The work for one item. A rejection stops the feed; it is rethrown once in-flight work settles. */
  work: (item: T, index: number) => Promise<R>;
  /** Receives results strictly in input order; awaited (so a slow sink applies backpressure). */
  sink: (result: R, index: number) => void | Promise<void>;
  /** Checked before each new item is taken; true stops feeding (in-flight work still completes). */
  shouldStop?: () => boolean;
}

/**
 * Map an (async) iterable through async work with a bounded window, delivering results in input
 * order. Only `window` items are ever between "taken from the input" and "sunk", so a 100k-row
 * input never has more than `window` promises or buffered results alive at once.
 *
 * @example
 * const out: number[] = [];
 * await mapOrdered([3, 1, 2], { window: 2, work: async (x) => x * 10, sink: (r) => { out.push(r); } });
 * // out = [30, 10, 20]
 * @returns how many items were taken from the input
 */
export async function mapOrdered<T, R>(items: AsyncIterable<T> | Iterable<T>, opts: MapOrderedOptions<T, R>): Promise<number> {
  if (!Number.isInteger(opts.window) || opts.window < 1) throw new RangeError(`window must be an integer >= 1, got ${opts.window}`);
  const done = new Map<number, R>();
  const signal = new Signal();
  let inFlight = 0;
  let taken = 0;
  let next = 0;
  let failure: { error: unknown } | undefined;

  const drain = async (): Promise<void> => {
    while (done.has(next)) {
      const result = done.get(next) as R;
      done.delete(next);
      const sunk = opts.sink(result, next);
      if (sunk) await sunk; // a sync sink costs no extra turn (this runs once per item)
      next++;
    }
  };
  const start = (item: T, index: number): void => {
    inFlight++;
    let promise: Promise<R>;
    try {
      promise = opts.work(item, index);
    } catch (err) {
      promise = Promise.reject(err);
    }
    // one reaction per item (not then + finally): a run has one of these per row
    promise.then(
      (r) => {
        done.set(index, r);
        inFlight--;
        signal.notify();
      },
      (err: unknown) => {
        failure ??= { error: err };
        inFlight--;
        signal.notify();
      },
    );
  };

  const iterator = Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : (items as Iterable<T>)[Symbol.iterator]();
  try {
    for (;;) {
      while (!failure && taken - next >= opts.window) {
        await drain();
        if (taken - next >= opts.window) await signal.wait();
      }
      if (failure || opts.shouldStop?.()) break;
      const step = await iterator.next();
      if (step.done) break;
      start(step.value, taken++);
      if (done.has(next)) await drain();
    }
  } finally {
    // settle what is in flight even when the input throws, then hand over what finished
    while (inFlight > 0) await signal.wait();
    if (!failure) await drain();
    await iterator.return?.();
  }
  if (failure) throw failure.error;
  return taken;
}

// --- internal ---

/** A wake-up with memory: a notify that nobody waited for makes the next wait return at once. */
class Signal {
  #waiter: (() => void) | undefined;
  #pending = false;

  notify(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter) waiter();
    else this.#pending = true;
  }

  wait(): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.#waiter = resolve;
    });
  }
}
