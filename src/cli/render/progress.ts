import { Writable } from 'node:stream';
import { MultiBar } from 'cli-progress';
import type { CliIO } from '../io.js';

/** A named value shown after the bar, e.g. `{ name: 'usd', label: 'spent', format: usd }`. */
export interface ProgressField {
  /** Key in the payload given to `update`. */
  name: string;
  /** Shown before the value (default: the name). */
  label?: string;
  format?: (value: number | string) => string;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  total: number;
  /** Shown before the bar, e.g. `test` or `trial 3`. */
  label?: string;
  fields?: readonly ProgressField[];
  /**
   * false turns progress off (e.g. with --json). When stderr is not a terminal (CI logs) there is
   * no bar but a plain line every `io.progressEveryMs` (10 s), so a long run is seen to be alive.
   */
  enabled?: boolean;
}

/** Plain progress lines in logs: often enough to see a run alive, rarely enough to read. */
const PLAIN_EVERY_MS = 10_000;

/** Payload values by field name; missing ones show as `–`. */
export type ProgressPayload = Readonly<Record<string, number | string | undefined>>;

/**
 * A progress bar on stderr, or a no-op when stderr is not a terminal. Lines printed while it runs
 * go through `log` (or `stream`), so they appear above the bar instead of tearing it.
 */
export interface Progress {
  /** True when a bar is being drawn. */
  readonly active: boolean;
  /** Set the current value and (some of) the payload fields. */
  update(value: number, payload?: ProgressPayload): void;
  setTotal(total: number): void;
  /** Print one line (a trailing newline is added when missing). */
  log(text: string): void;
  /** A stderr replacement for other printers (e.g. `eventPrinter`): writes go through `log`. */
  readonly stream: NodeJS.WritableStream & { isTTY?: boolean };
  /** Draw the final state and release the terminal. Safe to call more than once. */
  stop(): void;
}

/**
 * Create a progress bar for a long command (test, tune): cli-progress on stderr, redrawn at most
 * 10 times a second however often `update` is called, only when stderr is a TTY.
 *
 * @example
 * const bar = createProgress(io, { total: 100, label: 'test', fields: [{ name: 'usd', label: 'spent', format: (v) => `$${v}` }] });
 * bar.update(10, { usd: 0.01 });
 * bar.stop();
 */
export function createProgress(io: CliIO, opts: ProgressOptions): Progress {
  const fields = opts.fields ?? [];
  if (opts.enabled === false) return plainProgress(io);
  if (!io.stderr.isTTY) return plainProgress(io, { ...opts, everyMs: io.progressEveryMs ?? PLAIN_EVERY_MS });
  const format = [
    `${opts.label ? `${opts.label} ` : ''}{bar} {percentage}% | {value}/{total} | eta {eta_formatted}`,
    ...fields.map((f) => `${f.label ?? f.name} {${f.name}}`),
  ].join(' | ');
  const multi = new MultiBar({
    stream: io.stderr,
    format,
    barsize: 24,
    hideCursor: true,
    clearOnComplete: false,
    gracefulExit: false, // bin/ owns SIGINT
    etaBuffer: 50,
    fps: 10,
    autopadding: true,
  });
  const shown = (payload: ProgressPayload | undefined, into: Record<string, string>): Record<string, string> => {
    for (const f of fields) {
      const v = payload?.[f.name];
      if (v !== undefined) into[f.name] = f.format ? f.format(v) : String(v);
      else into[f.name] ??= '–';
    }
    return into;
  };
  const current: Record<string, string> = shown(undefined, {});
  const bar = multi.create(Math.max(0, opts.total), 0, current);
  let active = true;
  const log = (text: string): void => {
    if (active) multi.log(text.endsWith('\n') ? text : `${text}\n`);
    else io.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  };
  return {
    get active() {
      return active;
    },
    update: (value, payload) => bar.update(value, shown(payload, current)),
    setTotal: (total) => bar.setTotal(total),
    log,
    stream: lineStream(log, true),
    stop: () => {
      if (!active) return;
      multi.update(); // flush pending log lines before the final draw
      multi.stop();
      active = false;
    },
  };
}

// --- internal ---

/**
 * No bar: lines printed as they come; with `everyMs`, also the current state as one plain line
 * (`tune 40/100 | trials 3 | rows 120 | spent $0.012`) that often, once something has moved.
 */
function plainProgress(io: CliIO, opts?: ProgressOptions & { everyMs: number }): Progress {
  const log = (text: string): void => void io.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  let value = 0;
  let total = opts?.total ?? 0;
  let moved = false;
  const current: Record<string, string> = {};
  const line = (): string =>
    [`${opts?.label ? `${opts.label} ` : ''}${value}/${total}`, ...(opts?.fields ?? []).map((f) => `${f.label ?? f.name} ${current[f.name] ?? '–'}`)].join(' | ');
  const timer = opts
    ? setInterval(() => {
        if (moved) log(line());
      }, opts.everyMs)
    : undefined;
  timer?.unref(); // never what keeps the process alive
  return {
    active: false,
    update: (v, payload) => {
      value = v;
      moved = true;
      for (const f of opts?.fields ?? []) {
        const x = payload?.[f.name];
        if (x !== undefined) current[f.name] = f.format ? f.format(x) : String(x);
      }
    },
    setTotal: (t) => {
      total = t;
    },
    log,
    stream: io.stderr,
    stop: () => clearInterval(timer),
  };
}

function lineStream(log: (text: string) => void, isTTY: boolean): Writable & { isTTY: boolean } {
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      log(String(chunk));
      callback();
    },
  }) as Writable & { isTTY: boolean };
  stream.isTTY = isTTY;
  return stream;
}
