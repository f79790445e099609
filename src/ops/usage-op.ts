import { ConfigError } from '../errors.js';
import { resolve } from 'node:path';
import { DEFAULT_CACHE_ROOT } from '../store/cache-layout.js';
import type { History } from '../usage/history.js';
import { parseSince } from '../usage/since.js';
import { openUsageLog, queryHistory, queryUsage, type UsageFilter, type UsageReport } from '../usage/usage-query.js';
import { usageLogPath, type UsageCommand } from '../usage/usage-schema.js';

const COMMANDS: readonly UsageCommand[] = ['tune', 'test', 'create'];

/** Inputs of `autotune usage`, already parsed from flags. */
export interface UsageInput {
  /** Default `.cache`; relative to `cwd` when that is given. */
  cachePathRoot?: string | undefined;
  cwd?: string | undefined;
  /** A date, ISO time or duration (see `parseSince`). */
  since?: string | undefined;
  run?: string | undefined;
  command?: string | undefined;
  model?: string | undefined;
  /** Rebuild the history instead of totals: 'compact' or 'full'. */
  history?: 'compact' | 'full' | undefined;
  /** Now, in ms since the epoch (durations in `since` count back from it). */
  now: number;
}

/** What `autotune usage` shows. `exists` is false when nothing was ever logged under the root. */
export type UsageResult =
  | { log: string; exists: false; filter: UsageFilter }
  | { log: string; exists: true; filter: UsageFilter; report: UsageReport }
  | { log: string; exists: true; filter: UsageFilter; history: History; shape: 'compact' | 'full'; calls: number };

/**
 * Read the usage log of a cache root: totals per model, failures by kind and runs, or the
 * rebuilt history, for the rows matching the filters.
 *
 * @example
 * const r = runUsage({ cachePathRoot: '.cache', since: '7d', now: Date.now() });
 * if (r.exists && 'report' in r) console.log(r.report.totals.cost);
 */
export function runUsage(input: UsageInput): UsageResult {
  const filter = filterOf(input);
  const root = input.cachePathRoot ?? DEFAULT_CACHE_ROOT;
  const log = usageLogPath(input.cwd === undefined ? root : resolve(input.cwd, root));
  const db = openUsageLog(log);
  if (!db) return { log, exists: false, filter };
  try {
    if (input.history) {
      const { history, calls } = queryHistory(db, filter, { compact: input.history === 'compact' });
      return { log, exists: true, filter, history, shape: input.history, calls };
    }
    return { log, exists: true, filter, report: queryUsage(db, filter) };
  } finally {
    db.close();
  }
}

function filterOf(input: UsageInput): UsageFilter {
  if (input.command !== undefined && !(COMMANDS as readonly string[]).includes(input.command)) {
    throw new ConfigError(`--command must be one of ${COMMANDS.join(', ')}, got ${JSON.stringify(input.command)}`, { field: '--command' });
  }
  const filter: UsageFilter = {};
  if (input.since !== undefined) filter.since = parseSince(input.since, input.now);
  if (input.run !== undefined) filter.run = input.run;
  if (input.command !== undefined) filter.command = input.command as UsageCommand;
  if (input.model !== undefined) filter.model = input.model;
  return filter;
}
