import { setMaxListeners } from 'node:events';

/** A borrowed signal that aborts with its caller's; give it back when the request is done. */
export interface SignalLease {
  readonly signal: AbortSignal;
  release(): void;
}

interface Relay {
  readonly controller: AbortController;
  /** Requests that borrowed this relay so far (it retires at `maxUses`). */
  uses: number;
  /** Requests still holding it. */
  holders: number;
  detach(): void;
}

/**
 * Hands out signals that forward a caller's abort, shared by up to `maxUses` requests each.
 *
 * Why: the openai client adds an abort listener to the signal of every request and never
 * removes it. Handing it a run-wide signal would grow that signal by one listener (and what the
 * listener holds) per request for the whole run; a fresh AbortController per request, forwarded
 * by a listener added and removed each time, bounds that but cost more than the rest of the
 * request's bookkeeping. A relay signal is shared by a batch of requests instead: once it has
 * served `maxUses` and the last of them is done, it stops listening to the caller's signal and
 * is collected with the listeners the client left on it. Small batches (32): a relay lives
 * until the last of its requests ends, and one that outlives two young-generation collections
 * takes the listeners (and the requests' controllers they hold) into the old generation with
 * it; 256 per relay did that to most of them.
 */
export class AbortRelay {
  private readonly current = new WeakMap<AbortSignal, Relay>();

  constructor(private readonly maxUses = 32) {}

  lease(caller: AbortSignal): SignalLease {
    let relay = this.current.get(caller);
    if (!relay || relay.uses >= this.maxUses) {
      relay = open(caller, this.maxUses);
      this.current.set(caller, relay);
    }
    relay.uses++;
    relay.holders++;
    const held = relay;
    const limit = this.maxUses;
    let released = false;
    return {
      signal: held.controller.signal,
      release: () => {
        if (released) return;
        released = true;
        if (--held.holders === 0 && held.uses >= limit) held.detach();
      },
    };
  }
}

function open(caller: AbortSignal, maxUses: number): Relay {
  const controller = new AbortController();
  // up to maxUses listeners of the client's own, by design
  setMaxListeners(maxUses + 10, controller.signal);
  const forward = (): void => controller.abort(caller.reason);
  if (caller.aborted) forward();
  else caller.addEventListener('abort', forward, { once: true });
  return { controller, uses: 0, holders: 0, detach: () => caller.removeEventListener('abort', forward) };
}
