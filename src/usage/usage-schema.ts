import { join } from 'node:path';
import type { Migration } from '../store/database.js';

/** The usage log's file name under the cache root: `{cache_path_root}/usage.sqlite`. */
export const USAGE_FILE = 'usage.sqlite';

/** Path of the usage log under a cache root. */
export function usageLogPath(cachePathRoot: string): string {
  return join(cachePathRoot, USAGE_FILE);
}

/** Commands that write to the usage log (library users may log under any of them). */
export type UsageCommand = 'tune' | 'test' | 'create';

/**
 * Schema of `usage.sqlite`.
 * - `runs`: one row per process run (id, command, cache seed, start time).
 * - `usage`: one small row per API attempt or cache hit (no JSON), the source of every total.
 * - `bodies` + `calls`: history, only for runs logged with history on: one `calls` row per
 *   answered call (the response JSON) pointing at its request body, stored once per distinct
 *   body (SHA-256 of the canonical JSON), so repeated requests cost one hash, not one copy.
 * Version 2 adds to `usage`: `estimated` (1 when the tokens and cost are autotune's count, the
 * server's usage being missing, not numbers or contradicted by its answer) and `error_message`
 * (what the server said for a failed attempt). Older logs are migrated in place when opened:
 * their rows read as reported usage with no message.
 * Version 3 adds `cached_tokens` (of prompt_tokens, what the provider's prompt cache served,
 * billed at the cached-input price) and `reasoning_tokens` (of completion_tokens, a reasoning
 * model's hidden reasoning); older rows read 0.
 */
export const USAGE_MIGRATIONS: readonly Migration[] = [
  `CREATE TABLE runs (
     run_id TEXT PRIMARY KEY,
     command TEXT NOT NULL,
     seed TEXT,
     started_at INTEGER NOT NULL
   );
   CREATE TABLE usage (
     id INTEGER PRIMARY KEY,
     run_id TEXT NOT NULL,
     time INTEGER NOT NULL,
     model TEXT NOT NULL,
     endpoint TEXT NOT NULL,
     config_id INTEGER NOT NULL,
     n INTEGER NOT NULL,
     prompt_tokens INTEGER NOT NULL,
     completion_tokens INTEGER NOT NULL,
     cost REAL NOT NULL,
     saved REAL NOT NULL,
     cached INTEGER NOT NULL,
     latency_ms INTEGER NOT NULL,
     outcome TEXT NOT NULL,
     error TEXT,
     attempts INTEGER NOT NULL,
     request_key TEXT NOT NULL
   );
   CREATE INDEX usage_time ON usage (time);
   CREATE INDEX usage_run ON usage (run_id);
   CREATE TABLE bodies (
     hash TEXT PRIMARY KEY,
     body TEXT NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE calls (
     id INTEGER PRIMARY KEY,
     run_id TEXT NOT NULL,
     seq INTEGER NOT NULL,
     time INTEGER NOT NULL,
     model TEXT NOT NULL,
     config_id INTEGER NOT NULL,
     request_key TEXT NOT NULL,
     body_hash TEXT NOT NULL,
     response TEXT NOT NULL
   );
   CREATE INDEX calls_run ON calls (run_id, seq);`,
  `ALTER TABLE usage ADD COLUMN estimated INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE usage ADD COLUMN error_message TEXT;`,
  `ALTER TABLE usage ADD COLUMN cached_tokens INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE usage ADD COLUMN reasoning_tokens INTEGER NOT NULL DEFAULT 0;`,
];
