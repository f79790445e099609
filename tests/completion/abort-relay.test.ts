import { getEventListeners } from 'node:events';
import { AbortRelay } from '../../src/completion/abort-relay.js';

describe('AbortRelay', () => {
  it('hands out signals that abort with the caller, with its reason', () => {
    const caller = new AbortController();
    const relay = new AbortRelay(4);
    const a = relay.lease(caller.signal);
    const b = relay.lease(caller.signal);
    expect(a.signal.aborted).toBe(false);
    caller.abort(new Error('stop'));
    expect(a.signal.aborted && b.signal.aborted).toBe(true);
    expect((b.signal.reason as Error).message).toBe('stop');
    expect(relay.lease(caller.signal).signal.aborted).toBe(true);
  });

  it('a signal already aborted gives an aborted lease', () => {
    const caller = new AbortController();
    caller.abort('gone');
    const lease = new AbortRelay().lease(caller.signal);
    expect(lease.signal.aborted).toBe(true);
    expect(lease.signal.reason).toBe('gone');
  });

  it('keeps at most one listener on the caller per relay still in use, however many requests', () => {
    const caller = new AbortController();
    const relay = new AbortRelay(3);
    for (let i = 0; i < 100; i++) relay.lease(caller.signal).release();
    // the retired relays stopped listening; only the current one remains
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);

    // a relay whose requests are still running keeps listening until the last is done
    const held = [0, 1, 2].map(() => relay.lease(caller.signal));
    relay.lease(caller.signal).release();
    expect(getEventListeners(caller.signal, 'abort').length).toBeGreaterThanOrEqual(2);
    for (const h of held) h.release();
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
    // releasing twice changes nothing
    held[0]?.release();
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
  });

  it('shares one signal among a batch of requests, then moves to a new one', () => {
    const caller = new AbortController();
    const relay = new AbortRelay(2);
    const a = relay.lease(caller.signal);
    const b = relay.lease(caller.signal);
    const c = relay.lease(caller.signal);
    expect(a.signal).toBe(b.signal);
    expect(c.signal).not.toBe(a.signal);
  });
});
