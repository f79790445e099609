import { AbortedError } from '../errors.js';

/**
 * One pool of request slots shared by every trial and instance of a run, with adaptive
 * concurrency (additive increase, multiplicative decrease), so a rate-limited server slows the
 * run down instead of failing it, and the 429s stay few:
 * - a rate-limit answer cuts the window to 70%, once per overload: each request remembers the
 *   window generation (`epoch`) it was sent in; a 429 for a request sent before the last cut
 *   says nothing new, while a 429 for a request sent after it means the smaller window is still
 *   too big, and cuts again at once (one round trip later, not one cooldown later);
 * - each success grows the window by 1/window (a slot per window of successes), but for
 *   `cooldownMs` after a cut no higher than one slot below where the 429 came: the limit is
 *   probed again about once per cooldown, not at every success.
 * Measured against a server capping concurrency at 2 with 8 slots here: about one 429 per
 * cooldown after the first burst (docs/reliability.md).
 */
export class RequestPool {
  private window: number;
  private inFlight = 0;
  private lastCut = -Infinity;
  /** The window may not grow past this until `cooldownMs` after the last cut. */
  private ceiling = Infinity;
  private generation = 0;
  private readonly waiters: Array<() => void> = [];
  /** Signals that wake every waiter when they abort. */
  private readonly watched = new WeakSet<AbortSignal>();
  /** Most requests ever in flight at once (for tests and benchmarks). */
  maxInFlight = 0;
  /** How many times the window was cut by a rate limit. */
  cuts = 0;

  constructor(
    readonly maxConcurrency: number,
    private readonly now: () => number = () => Date.now(),
    private readonly cooldownMs = 1000,
  ) {
    if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1) throw new RangeError(`concurrency must be an integer >= 1, got ${maxConcurrency}`);
    this.window = maxConcurrency;
  }

  /** The window generation: bumped at every cut. Read it when a request is sent. */
  get epoch(): number {
    return this.generation;
  }

  /** Current number of slots (≤ maxConcurrency). */
  get limit(): number {
    return Math.max(1, Math.floor(this.window));
  }

  get active(): number {
    return this.inFlight;
  }

  /** Wait for a slot; returns the function that gives it back (call exactly once). */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal && !this.watched.has(signal)) {
      // one listener per signal, not per waiter: a run passes the same signal with every
      // request, and adding and removing a listener per wait cost more than the wait itself
      this.watched.add(signal);
      signal.addEventListener('abort', () => this.wakeAll(), { once: true });
    }
    while (this.inFlight >= this.limit) {
      if (signal?.aborted) throw new AbortedError();
      // wake on a free slot or on the abort, whichever comes first
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (signal?.aborted) throw new AbortedError();
    this.inFlight++;
    if (this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight--;
      this.wake();
    };
  }

  /**
   * A request was rate-limited: shrink the window. `sentInEpoch` is the `epoch` read when that
   * request was sent: a 429 for a request sent before the last cut is ignored. Without it, one
   * cut per `cooldownMs` at most.
   */
  onRateLimit(sentInEpoch?: number): void {
    const t = this.now();
    if (sentInEpoch !== undefined ? sentInEpoch < this.generation : t - this.lastCut < this.cooldownMs) return;
    this.ceiling = Math.max(1, this.limit - 1);
    this.lastCut = t;
    this.window = Math.max(1, this.window * 0.7);
    this.cuts++;
    this.generation++;
  }

  /** A request succeeded: grow the window a little (not past the ceiling soon after a cut). */
  onSuccess(): void {
    const cap = this.now() - this.lastCut < this.cooldownMs ? Math.min(this.ceiling, this.maxConcurrency) : this.maxConcurrency;
    if (this.window >= cap) return;
    this.window = Math.min(cap, this.window + 1 / this.window);
    this.wake();
  }

  /** Wake everyone waiting when an abort should be noticed. */
  wakeAll(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private wake(): void {
    let free = this.limit - this.inFlight;
    while (free-- > 0 && this.waiters.length > 0) this.waiters.shift()?.();
  }
}
