import type { CachedSample, ResponseCache } from '../store/response-cache.js';

/** Runs `fn` soon, after the work already queued (production: setImmediate). */
export type Defer = (fn: () => void) => void;

interface Pending {
  key: string;
  n: number;
  resolve: (samples: CachedSample[]) => void;
  reject: (err: unknown) => void;
}

/**
 * Batches the cache lookups that many concurrent requests make at once into one read.
 *
 * Why: a fully cached re-run is one lookup per row, and a lookup alone (one statement, its read
 * transaction, the bindings) cost about as much as everything else done for the row. The
 * lookups asked for while the event loop is busy starting rows are collected and answered
 * together by `cache.getMany` when the loop next comes round (`defer`), typically the whole row
 * window at once. A cache without `getMany` is read key by key, at the same moment.
 */
export class CacheLoader {
  private queue: Pending[] = [];

  constructor(
    private readonly cache: ResponseCache,
    private readonly defer: Defer = setImmediate,
  ) {}

  /** The first `n` samples stored under `key`, read with the other lookups of this moment. */
  load(key: string, n: number): Promise<CachedSample[]> {
    return new Promise((resolve, reject) => {
      if (this.queue.push({ key, n, resolve, reject }) === 1) this.defer(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    let found: CachedSample[][];
    try {
      found = this.cache.getMany ? this.cache.getMany(batch) : batch.map((p) => this.cache.get(p.key, p.n));
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => p.resolve(found[i] ?? []));
  }
}
