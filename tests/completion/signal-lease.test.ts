import { getEventListeners } from 'node:events';
import { leaseSignal } from '../../src/completion/signal-lease.js';

describe('leaseSignal', () => {
  it('hands out signals that abort with the caller, with its reason', () => {
    const caller = new AbortController();
    const a = leaseSignal(caller.signal);
    const b = leaseSignal(caller.signal);
    expect(a.signal).not.toBe(b.signal);
    expect(a.signal.aborted).toBe(false);
    caller.abort(new Error('stop'));
    expect(a.signal.aborted && b.signal.aborted).toBe(true);
    expect((b.signal.reason as Error).message).toBe('stop');
    expect(leaseSignal(caller.signal).signal.aborted).toBe(true);
  });

  it('a signal already aborted gives an aborted lease', () => {
    const caller = new AbortController();
    caller.abort('gone');
    const lease = leaseSignal(caller.signal);
    expect(lease.signal.aborted).toBe(true);
    expect(lease.signal.reason).toBe('gone');
  });

  it('leaves no listener on the caller once released, however many requests', () => {
    const caller = new AbortController();
    for (let i = 0; i < 100; i++) leaseSignal(caller.signal).release();
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);

    // requests still running keep listening until each is done
    const held = [0, 1, 2].map(() => leaseSignal(caller.signal));
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(3);
    for (const h of held) h.release();
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    // releasing twice changes nothing
    held[0]?.release();
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });

  it('a released lease no longer follows the caller', () => {
    const caller = new AbortController();
    const lease = leaseSignal(caller.signal);
    lease.release();
    caller.abort();
    expect(lease.signal.aborted).toBe(false);
  });
});
