import { CacheError } from '../errors.js';
import { openDatabase, type Db } from '../store/database.js';
import { canonicalJson } from '../util/canonical-json.js';
import { systemClock, type Clock } from '../util/clock.js';
import { createHash } from 'node:crypto';
import { processExitHook, unrefTimer, type ExitHook, type ScheduleFn } from './flush-timer.js';
import { historyResponse, scrubRequest } from './history.js';
import { USAGE_MIGRATIONS, type UsageCommand } from './usage-schema.js';
import type { CallRecord, UsageRecord, UsageSink } from './usage-record.js';

/** How a SqliteUsageLog is set up. */
export interface SqliteUsageLogOptions {
  /** The SQLite file, normally `usageLogPath(cachePathRoot)`. */
  path: string;
  /** Identifies this process run (see `newRunId`). */
  runId: string;
  command: UsageCommand;
  /** The cache seed the run uses (null: no cache); `autotune cache stats` reads hit rates by it. */
  seed?: string | null;
  /**
   * Keep history: each answered call's response JSON and its request body (stored once per
   * distinct body), for `autotune usage --history`. Default true. Turn it off for very large
   * runs where only totals matter: usage rows alone are ~150 bytes.
   */
  history?: boolean;
  clock?: Clock;
  /** Flush buffered records this long after the first one arrives (default 50 ms). */
  flushMs?: number;
  /** Flush at once when this many records are buffered (default 500). */
  maxBatch?: number;
  schedule?: ScheduleFn;
  /** Flushes on process exit; default `process.on('exit')`. */
  exitHook?: ExitHook | null;
  /** Told about a failed open or write (the records of that batch are dropped; the run goes on). */
  onError?: (err: CacheError) => void;
}

/**
 * The usage log: a UsageSink writing one row per API attempt or cache hit to
 * `{cache_path_root}/usage.sqlite`. Records are buffered in memory and written in one
 * transaction every `flushMs` or `maxBatch` records, on `close()` and on process exit, so the
 * request path only pushes to an array; a killed process loses at most the last batch. The
 * file is opened on the first record, so a run that fails validation leaves nothing behind.
 * Several processes can log to one file (WAL, busy timeout).
 *
 * @example
 * const log = new SqliteUsageLog({ path: usageLogPath('.cache'), runId: newRunId(Date.now()), command: 'create' });
 * const run = openRunContext({ usage: log });
 * // ... run.engine.create(...)
 * run.close();
 * log.close(); // writes what is buffered
 */
export class SqliteUsageLog implements UsageSink {
  private db: Db | undefined;
  private write: ((records: readonly UsageRecord[], calls: readonly CallRecord[]) => void) | undefined;
  private pending: UsageRecord[] = [];
  private pendingCalls: CallRecord[] = [];
  private cancelTimer: (() => void) | undefined;
  private removeExitHook: (() => void) | undefined;
  private broken = false;
  private seq = 0;
  private readonly startedAt: number;
  /** The last error met while opening or writing, if any. */
  lastError: CacheError | undefined;

  constructor(private readonly opts: SqliteUsageLogOptions) {
    this.startedAt = (opts.clock ?? systemClock).now();
  }

  /** The run id rows are written under. */
  get runId(): string {
    return this.opts.runId;
  }

  get path(): string {
    return this.opts.path;
  }

  record(r: UsageRecord): void {
    if (!this.write) this.open(); // once: creates the file, the run row and the exit hook
    this.pending.push(r);
    this.afterPush();
  }

  recordCall(c: CallRecord): void {
    if (this.opts.history === false) return;
    if (!this.write) this.open();
    this.pendingCalls.push(c);
    this.afterPush();
  }

  /** Write everything buffered now, in one transaction. */
  flush(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    if (this.pending.length === 0 && this.pendingCalls.length === 0) return;
    const records = this.pending;
    const calls = this.pendingCalls;
    this.pending = [];
    this.pendingCalls = [];
    const write = this.open();
    if (!write) return; // the log is broken (reported once): drop the batch
    try {
      write(records, calls);
    } catch (err) {
      this.fail(`cannot write the usage log ${this.opts.path}: ${(err as Error).message}`, err);
    }
  }

  /** Flush and close the file. The log stays usable: a later record opens it again. */
  close(): void {
    this.flush();
    this.removeExitHook?.();
    this.removeExitHook = undefined;
    if (this.db?.open) this.db.close();
    this.db = undefined;
    this.write = undefined;
  }

  private afterPush(): void {
    if (this.pending.length + this.pendingCalls.length >= (this.opts.maxBatch ?? 500)) this.flush();
    else this.cancelTimer ??= (this.opts.schedule ?? unrefTimer)(() => this.flush(), this.opts.flushMs ?? 50);
  }

  private open(): ((records: readonly UsageRecord[], calls: readonly CallRecord[]) => void) | undefined {
    if (this.write) return this.write;
    if (this.broken) return undefined;
    try {
      this.db = openDatabase(this.opts.path, USAGE_MIGRATIONS);
      this.write = prepareWriter(this.db, this.opts, this.startedAt, () => this.seq++);
    } catch (err) {
      this.broken = true; // do not retry the open on every batch
      this.fail(err instanceof CacheError ? err.message : `cannot open the usage log ${this.opts.path}: ${(err as Error).message}`, err);
      return undefined;
    }
    const hook = this.opts.exitHook === undefined ? processExitHook : this.opts.exitHook;
    this.removeExitHook = hook?.(() => this.flush());
    return this.write;
  }

  private fail(message: string, cause: unknown): void {
    const err = new CacheError(message, { file: this.opts.path, cause, hint: 'usage is not being logged; check that the cache root is writable' });
    this.lastError = err;
    this.opts.onError?.(err);
  }
}

function prepareWriter(db: Db, opts: SqliteUsageLogOptions, startedAt: number, nextSeq: () => number) {
  db.prepare('INSERT OR IGNORE INTO runs (run_id, command, seed, started_at) VALUES (?, ?, ?, ?)').run(opts.runId, opts.command, opts.seed ?? null, startedAt);
  const insertUsage = db.prepare(
    `INSERT INTO usage (run_id, time, model, endpoint, config_id, n, prompt_tokens, completion_tokens, cost, saved, cached, latency_ms, outcome, error, attempts, request_key, estimated, error_message, cached_tokens, reasoning_tokens)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertBody = db.prepare('INSERT OR IGNORE INTO bodies (hash, body) VALUES (?, ?)');
  const insertCall = db.prepare('INSERT INTO calls (run_id, seq, time, model, config_id, request_key, body_hash, response) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const run = opts.runId;
  const tx = db.transaction((records: readonly UsageRecord[], calls: readonly CallRecord[]) => {
    for (const r of records) {
      insertUsage.run(
        run, r.time, r.model, r.endpoint, r.config_id, r.n, r.prompt_tokens, r.completion_tokens, r.cost, r.saved,
        r.cached ? 1 : 0, Math.round(r.latency_ms), r.outcome, r.error ?? null, r.attempts, r.request_key,
        r.estimated ? 1 : 0, r.error_message ?? null, r.cached_tokens ?? 0, r.reasoning_tokens ?? 0,
      );
    }
    for (const c of calls) {
      const body = canonicalJson(scrubRequest(c.request));
      const hash = createHash('sha256').update(body).digest('hex');
      insertBody.run(hash, body);
      insertCall.run(run, nextSeq(), c.time, c.response.model, c.config_id, c.request_key, hash, JSON.stringify(historyResponse(c.response)));
    }
  });
  // IMMEDIATE: take the write lock first, so a busy file means waiting, never a failed upgrade
  return (records: readonly UsageRecord[], calls: readonly CallRecord[]): void => tx.immediate(records, calls);
}
