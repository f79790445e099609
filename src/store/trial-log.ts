import { appendFileSync, closeSync, existsSync, fstatSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { WriteError } from '../errors.js';
import type { LedgerState, LedgerStorage } from '../budget/ledger.js';
import { dirname } from 'node:path';

/** One line of the trial log. `spent` is the tune's cumulative new spend (resumed runs included). */
export type TuneLogEntry =
  | { type: 'start'; identity: string; time: string; optimization_budget: number | null; prior_spend: number; config_file?: string; sandbox?: Record<string, unknown>; notices?: string[] }
  /** An arm the probe could not use, with why (the server's message for a refused request). */
  | { type: 'arm_failed'; identity: string; time: string; arm: Record<string, unknown>; reason: string }
  /** A trial's summary (the tuner's TrialSummary) as it stood when it was written. */
  | ({ type: 'trial'; identity: string; time: string; spent: number } & Record<string, unknown>)
  /** Written before each paid request: `reserved` is the worst case of the requests in flight. */
  | { type: 'spend'; identity: string; time: string; spent: number; reserved: number }
  /** `reserved`: the worst case of requests an interrupt cut off, which may have been charged. */
  | { type: 'end'; identity: string; time: string; spent: number; reserved?: number; stop_reason: string; best_trial: number | null; trials: number };

/**
 * The trial log: JSON Lines, one whole line per write (appended with O_APPEND, so a killed run
 * leaves only whole lines, and at worst a torn last line that readers skip). It also carries the
 * running spend, so a re-run of the same tune (same identity) counts what earlier runs paid
 * against the optimization budget and resumes at no new cost for what is cached.
 */
export class TuneLog {
  private isOpen = false;

  /** @param head written before the first line (e.g. the run's start line); nothing is written before one is. */
  constructor(
    readonly file: string,
    readonly identity: string,
    private readonly now: () => Date = () => new Date(),
    private readonly head?: Record<string, unknown> & { type: TuneLogEntry['type'] },
  ) {}

  /** Whether this run has written to the file yet. */
  get opened(): boolean {
    return this.isOpen;
  }

  write(entry: Record<string, unknown> & { type: TuneLogEntry['type'] }): void {
    if (!this.isOpen) {
      this.isOpen = true;
      mkdirSync(dirname(this.file), { recursive: true });
      endTornLine(this.file);
      if (this.head) this.write(this.head);
    }
    const line = `${JSON.stringify({ ...entry, identity: this.identity, time: this.now().toISOString() })}\n`;
    appendWholeLine(this.file, line);
  }

  trial(summary: object, spent: number): void {
    this.write({ type: 'trial', ...summary, spent });
  }
}

/**
 * Append one line, whole or not at all: when the disk fills up part way (ENOSPC after a short
 * write), the part written is cut off again, so the log never holds a torn line of a live run
 * (the run holds the log's lock: nobody else appends meanwhile). The failure is a WriteError
 * naming the file (exit code 2).
 */
function appendWholeLine(file: string, line: string): void {
  const bytes = Buffer.from(line);
  let fd: number | undefined;
  let written = 0;
  try {
    fd = openSync(file, 'a');
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
  } catch (err) {
    if (fd !== undefined && written > 0) ftruncateSync(fd, fstatSync(fd).size - written);
    const code = (err as NodeJS.ErrnoException).code;
    const full = code === 'ENOSPC' || code === 'EDQUOT';
    throw new WriteError(`cannot write the trial log: ${full ? 'the disk is full' : (err as Error).message}`, {
      file,
      cause: err,
      hint: full ? 'free some space and run the tune again: it resumes from the log, which holds only whole lines' : 'check the path of log_file and its permissions',
    });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * A run killed in the middle of a write can leave a last line without its newline: end it, so
 * this run's first line does not glue onto it (readers skip the torn line; ours stay whole).
 */
function endTornLine(file: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const last = Buffer.alloc(1);
    if (size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a) appendFileSync(file, '\n');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** What earlier runs of one tune left in its log: the account, and when it was last written. */
export interface PriorAccount {
  /** USD: spent, plus the worst case of requests a killed run had in flight. */
  spent: number;
  /** Time of the latest line of this identity (ISO), if any. */
  lastTime: string | undefined;
}

/**
 * What earlier runs of the tune with this identity spent (0 when none): the account as the
 * latest line of this identity left it. Every line carries the running total (a run's `start`
 * line the total it resumed from), and a `spend` line, written before each paid request, adds
 * the worst case of the requests then in flight: a run killed with -9 may have been charged
 * for them, so they count until a later line settles them. Torn lines are skipped.
 */
export function priorAccount(file: string | undefined, identity: string): PriorAccount {
  const account: PriorAccount = { spent: 0, lastTime: undefined };
  if (!file || !existsSync(file)) return account;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    let entry: { identity?: unknown; spent?: unknown; reserved?: unknown; prior_spend?: unknown; time?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue; // a line torn by a crash
    }
    if (entry.identity !== identity) continue;
    const total = typeof entry.spent === 'number' ? entry.spent + (typeof entry.reserved === 'number' ? entry.reserved : 0) : entry.prior_spend;
    if (typeof total === 'number' && Number.isFinite(total)) {
      account.spent = total;
      if (typeof entry.time === 'string') account.lastTime = entry.time;
    }
  }
  return account;
}

/** `priorAccount(...).spent`. */
export function priorSpend(file: string | undefined, identity: string): number {
  return priorAccount(file, identity).spent;
}

/**
 * The trial log as the storage of a run's money ledger. A reservation that adds to what is in
 * flight is written down before its request is sent (one short append): a run killed with -9 is
 * then counted in full by a re-run, so the total never passes the budget (docs/reliability.md).
 * Settlements are only remembered: the next line written (a trial, the end) carries them.
 */
export class TrialLogBooks implements LedgerStorage {
  private last: LedgerState;

  /** @param carried what earlier runs spent, as the log holds it */
  constructor(
    private readonly log: TuneLog,
    carried: number,
  ) {
    this.last = { spent: carried, reserved: 0 };
  }

  /** The books as last saved. */
  get state(): LedgerState {
    return this.last;
  }

  save(state: LedgerState): void {
    if (state.reserved > this.last.reserved) this.log.write({ type: 'spend', spent: state.spent, reserved: state.reserved });
    this.last = { ...state };
  }

  /** After a failure: write what was spent and what may still be in flight, if the run wrote anything. */
  settle(): void {
    if (this.log.opened) this.log.write({ type: 'spend', spent: this.last.spent, reserved: this.last.reserved });
  }
}
