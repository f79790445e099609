/** A signal of one request's own that aborts with its caller's; release it when the request is done. */
export interface SignalLease {
  readonly signal: AbortSignal;
  release(): void;
}

/**
 * A fresh signal that aborts with `caller` (and its reason), for one request.
 *
 * Why not the caller's signal itself: the openai client adds an abort listener to the signal of
 * every request and never removes it, so a run-wide signal would hold one listener (and what
 * it holds) per request for the whole run. The leased signal goes away with its request, and
 * `release()` removes the one listener it put on the caller's signal.
 *
 * @example
 * const lease = leaseSignal(run.signal);
 * try { await client.chat.completions.create(body, { signal: lease.signal }); } finally { lease.release(); }
 */
export function leaseSignal(caller: AbortSignal): SignalLease {
  const controller = new AbortController();
  const forward = (): void => controller.abort(caller.reason);
  if (caller.aborted) forward();
  else caller.addEventListener('abort', forward, { once: true });
  return { signal: controller.signal, release: () => caller.removeEventListener('abort', forward) };
}
