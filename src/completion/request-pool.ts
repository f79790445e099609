import { AbortedError } from '../errors.js';

/**
 * One pool of request slots shared by every trial and instance of a run, with adaptive
 * concurrency: a rate-limit answer halves the window (at most once per `cooldownMs`, so a
 * burst of 429s from one overload counts once), and each success grows it by 1/window, so it
 * creeps back to the configured maximum (additive increase, multiplicative decrease). The
 * effect: a rate-limited server slows the run down instead of failing it.
 */
export class RequestPool {
  private window: number;
  private inFlight = 0;
  private lastCut = -Infinity;
  private readonly waiters: Array<() => void> = [];
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

  /** Current number of slots (≤ maxConcurrency). */
  get limit(): number {
    return Math.max(1, Math.floor(this.window));
  }

  get active(): number {
    return this.inFlight;
  }

  /** Wait for a slot; returns the function that gives it back (call exactly once). */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    while (this.inFlight >= this.limit) {
      if (signal?.aborted) throw new AbortedError();
      // wake on a free slot or on the abort, whichever comes first
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          signal?.removeEventListener('abort', wake);
          resolve();
        };
        this.waiters.push(wake);
        signal?.addEventListener('abort', wake, { once: true });
      });
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

  /** Run `fn` holding a slot. */
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(signal);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** A request was rate-limited: shrink the window. */
  onRateLimit(): void {
    const t = this.now();
    if (t - this.lastCut < this.cooldownMs) return;
    this.lastCut = t;
    this.window = Math.max(1, this.window / 2);
    this.cuts++;
  }

  /** A request succeeded: grow the window a little. */
  onSuccess(): void {
    if (this.window < this.maxConcurrency) {
      this.window = Math.min(this.maxConcurrency, this.window + 1 / this.window);
      this.wake();
    }
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
