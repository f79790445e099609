import { appendCompact, appendFull, type CompactHistory, type FullHistory, type History } from './history.js';
import type { CallRecord, UsageRecord, UsageSink } from './usage-record.js';
import { addToSummary, emptySummary, type UsageSummary } from './usage-summary.js';

/** Options of `UsageLogger.startLogging`, as the original's `start_logging`. */
export interface StartLoggingOptions {
  /** true (default): one entry per conversation; false: one `{request, response}` per call. */
  compact?: boolean;
  /** true (default): call indices restart at 0 and the usage summary restarts. */
  resetCounter?: boolean;
  /** Continue this history (e.g. an earlier `loggedHistory()`); it is copied, not kept. */
  history?: History;
}

/**
 * In-memory usage logger: the original's `start_logging` / `stop_logging` / `logged_history` /
 * `print_usage_summary`, per instance instead of class-wide. It is a UsageSink, so give it to
 * `openRunContext({ usage })`; it forwards every record to `forward` (e.g. the SQLite log).
 *
 * @example
 * const logger = new UsageLogger();
 * const run = openRunContext({ usage: logger });
 * logger.startLogging({ compact: false });
 * await run.engine.create({ params: { model: 'gpt-4o-mini', prompt: 'Hi' } });
 * logger.loggedHistory();   // { 0: { request: {...}, response: {...} } }
 * logger.usageSummary();    // { total_cost, total_saved, by_model: { 'gpt-4o-mini': {...} }, failures }
 */
export class UsageLogger implements UsageSink {
  private history: CompactHistory | FullHistory | undefined;
  private compact = true;
  private count = 0;
  private summary = emptySummary();

  constructor(private readonly forward?: UsageSink) {}

  /** Start keeping history. Calls made before are not in it. */
  startLogging(opts: StartLoggingOptions = {}): void {
    this.compact = opts.compact ?? true;
    this.history = opts.history ? copyHistory(opts.history) : {};
    if (opts.resetCounter ?? true) {
      this.count = 0;
      this.summary = emptySummary();
    } else if (opts.history && !this.compact) {
      // continue numbering after the calls already in a full history
      this.count = Math.max(this.count, ...Object.keys(opts.history).map((k) => Number(k) + 1));
    }
  }

  /** Stop keeping history (the summary keeps counting). */
  stopLogging(): void {
    this.history = undefined;
  }

  /** Whether history is being kept. */
  get logging(): boolean {
    return this.history !== undefined;
  }

  /** A copy of the history so far, or undefined when logging is off (the original's None). */
  loggedHistory(): History | undefined {
    return this.history ? copyHistory(this.history) : undefined;
  }

  /** Paid requests, cache hits, tokens, USD paid and saved per model, since the last reset. */
  usageSummary(): UsageSummary {
    return {
      total_cost: this.summary.total_cost,
      total_estimated: this.summary.total_estimated,
      total_saved: this.summary.total_saved,
      by_model: Object.fromEntries(Object.entries(this.summary.by_model).map(([k, v]) => [k, { ...v }])),
      failures: { ...this.summary.failures },
    };
  }

  record(r: UsageRecord): void {
    addToSummary(this.summary, r);
    this.forward?.record(r);
  }

  recordCall(c: CallRecord): void {
    if (this.history) {
      const index = this.count++;
      if (this.compact) appendCompact(this.history as CompactHistory, index, c);
      else appendFull(this.history as FullHistory, index, c);
    }
    this.forward?.recordCall?.(c);
  }
}

function copyHistory(h: History): History {
  // entries are copied one level deep: the lists a compact entry grows must not be shared
  const out: Record<string | number, unknown> = {};
  for (const [k, v] of Object.entries(h)) {
    out[k] = 'created_at' in v ? { created_at: [...v.created_at], cost: [...v.cost], token_count: [...v.token_count] } : { ...v };
  }
  return out as History;
}
