import { Writable } from 'node:stream';
import type { CliIO } from '../../src/cli/io.js';

/** A CLI io whose stdout/stderr are captured in memory. */
export interface CapturedIO {
  io: CliIO;
  out: () => string;
  err: () => string;
}

/** Capture a command's output; `tty` makes stderr look like a terminal (progress bars). */
export function captureIO(env: Record<string, string | undefined>, cwd: string, opts: { tty?: boolean; signal?: AbortSignal } = {}): CapturedIO {
  const chunks = { out: '', err: '' };
  const sink = (key: 'out' | 'err'): Writable & { isTTY?: boolean } => {
    const w = new Writable({
      write(chunk: Buffer | string, _enc, cb) {
        chunks[key] += String(chunk);
        cb();
      },
    }) as Writable & { isTTY?: boolean };
    if (opts.tty) Object.assign(w, { isTTY: true, columns: 120 });
    return w;
  };
  const io: CliIO = { stdout: sink('out'), stderr: sink('err'), env, cwd, ...(opts.signal ? { signal: opts.signal } : {}) };
  return { io, out: () => chunks.out, err: () => chunks.err };
}
