/** Runs async tasks with at most `limit` in flight, in submission order. */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/**
 * A small counting semaphore. Each limiter owns its queue (no shared state between limiters).
 *
 * @example
 * const limit = createLimiter(2);
 * await Promise.all([1, 2, 3].map((x) => limit(async () => x * 2))); // [2, 4, 6], ≤ 2 at once
 */
export function createLimiter(limit: number): Limiter {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  let active = 0;
  const waiting: (() => void)[] = [];
  const release = (): void => {
    active--;
    const next = waiting.shift();
    if (next) next();
  };
  return <T>(task: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const start = (): void => {
        active++;
        task().then(resolve, reject).finally(release);
      };
      if (active < limit) start();
      else waiting.push(start);
    });
}
