import { existsSync } from 'node:fs';
import { openDatabase, type Db } from '../store/database.js';
import { appendCompact, appendFull, type CompactHistory, type FullHistory, type History } from './history.js';
import type { CallResponse } from './usage-record.js';
import { USAGE_MIGRATIONS, type UsageCommand } from './usage-schema.js';
import { emptyModelUsage, type ModelUsage } from './usage-summary.js';

/** Which rows a query covers; every field narrows it. */
export interface UsageFilter {
  /** Milliseconds since the epoch (see `parseSince`). */
  since?: number | undefined;
  run?: string | undefined;
  command?: UsageCommand | undefined;
  model?: string | undefined;
}

/** One run in the log. */
export interface RunInfo {
  run_id: string;
  command: string;
  seed: string | null;
  started_at: number;
  /** Usage rows (attempts + cache hits) in the filter. */
  rows: number;
  cost: number;
}

/** What `autotune usage` reports. */
export interface UsageReport {
  by_model: Record<string, ModelUsage>;
  totals: ModelUsage;
  /** Failed attempts by kind. */
  failures: Record<string, number>;
  /** The latest message a server gave, per kind of failure (logs from before version 2 have none). */
  error_messages: Record<string, string>;
  /** Matching runs, newest first. */
  runs: RunInfo[];
  /** Time of the first and last matching row (null when none). */
  first: number | null;
  last: number | null;
}

/** Cache-hit figures of one seed, from the usage log. */
export interface SeedHitRate {
  /** Calls served (wholly or partly) from the cache, and paid requests that succeeded. */
  cache_hits: number;
  paid_requests: number;
  /** Samples served from the cache / all samples served. null when nothing was served. */
  hit_rate: number | null;
}

/**
 * Open a usage log for reading; null when there is none yet. (It is opened like the writer,
 * WAL and busy timeout, so reading while a run is logging is fine.)
 */
export function openUsageLog(path: string): Db | null {
  if (!existsSync(path)) return null;
  return openDatabase(path, USAGE_MIGRATIONS);
}

/** Totals per model, failures by kind and the runs, for the rows matching `filter`. */
export function queryUsage(db: Db, filter: UsageFilter = {}): UsageReport {
  const w = whereOf(filter, 'u');
  const rows = db
    .prepare<unknown[], ModelUsage & { model: string }>(
      `SELECT u.model AS model,
         SUM(u.cached = 0 AND u.outcome != 'failed') AS requests,
         SUM(u.cached) AS cache_hits,
         SUM(CASE WHEN u.cached = 0 AND u.outcome != 'failed' THEN u.prompt_tokens ELSE 0 END) AS prompt_tokens,
         SUM(CASE WHEN u.cached = 0 AND u.outcome != 'failed' THEN u.completion_tokens ELSE 0 END) AS completion_tokens,
         SUM(CASE WHEN u.cached = 0 AND u.outcome != 'failed' THEN u.cached_tokens ELSE 0 END) AS cached_tokens,
         SUM(CASE WHEN u.cached = 0 AND u.outcome != 'failed' THEN u.reasoning_tokens ELSE 0 END) AS reasoning_tokens,
         SUM(u.cost) AS cost, SUM(CASE WHEN u.estimated = 1 THEN u.cost ELSE 0 END) AS estimated_cost, SUM(u.saved) AS saved,
         SUM(u.outcome = 'failed') AS failed
       FROM usage u ${w.sql} GROUP BY u.model ORDER BY u.model`,
    )
    .all(...w.params);
  const by_model: Record<string, ModelUsage> = {};
  const totals = emptyModelUsage();
  for (const { model, ...m } of rows) {
    by_model[model] = m;
    for (const k of Object.keys(totals) as Array<keyof ModelUsage>) totals[k] += m[k];
  }
  const failures = Object.fromEntries(
    db
      .prepare<unknown[], { kind: string; c: number }>(
        `SELECT COALESCE(u.error, 'other') AS kind, COUNT(*) AS c FROM usage u ${andWhere(w.sql, "u.outcome = 'failed'")} GROUP BY kind ORDER BY c DESC, kind`,
      )
      .all(...w.params)
      .map((r) => [r.kind, r.c]),
  );
  // what the server said last, per kind of failure
  const errorMessages = Object.fromEntries(
    db
      .prepare<unknown[], { kind: string; message: string }>(
        `SELECT COALESCE(u.error, 'other') AS kind, u.error_message AS message FROM usage u
         WHERE u.id IN (SELECT MAX(u.id) FROM usage u ${andWhere(w.sql, "u.outcome = 'failed' AND u.error_message IS NOT NULL")} GROUP BY COALESCE(u.error, 'other'))
         ORDER BY kind`,
      )
      .all(...w.params)
      .map((r) => [r.kind, r.message]),
  );
  const span = db.prepare<unknown[], { first: number | null; last: number | null }>(`SELECT MIN(u.time) AS first, MAX(u.time) AS last FROM usage u ${w.sql}`).get(...w.params);
  const runs = db
    .prepare<unknown[], RunInfo>(
      `SELECT r.run_id AS run_id, r.command AS command, r.seed AS seed, r.started_at AS started_at, COUNT(*) AS rows, SUM(u.cost) AS cost
       FROM usage u JOIN runs r ON r.run_id = u.run_id ${w.sql} GROUP BY r.run_id ORDER BY r.started_at DESC, MIN(u.id) DESC`,
    )
    .all(...w.params);
  return { by_model, totals, failures, error_messages: errorMessages, runs, first: span?.first ?? null, last: span?.last ?? null };
}

/** Cache hits, paid requests and the sample hit rate per cache seed (runs without a cache are left out). */
export function queryHitRates(db: Db, filter: UsageFilter = {}): Record<string, SeedHitRate> {
  const w = whereOf(filter, 'u');
  const rows = db
    .prepare<unknown[], { seed: string; hits: number; requests: number; cached_samples: number; fetched_samples: number }>(
      `SELECT r.seed AS seed, SUM(u.cached) AS hits, SUM(u.cached = 0 AND u.outcome != 'failed') AS requests,
         SUM(CASE WHEN u.cached = 1 THEN u.n ELSE 0 END) AS cached_samples,
         SUM(CASE WHEN u.cached = 0 AND u.outcome != 'failed' THEN u.n ELSE 0 END) AS fetched_samples
       FROM usage u JOIN runs r ON r.run_id = u.run_id ${andWhere(w.sql, 'r.seed IS NOT NULL')} GROUP BY r.seed`,
    )
    .all(...w.params);
  const out: Record<string, SeedHitRate> = {};
  for (const r of rows) {
    const served = r.cached_samples + r.fetched_samples;
    out[r.seed] = { cache_hits: r.hits, paid_requests: r.requests, hit_rate: served > 0 ? r.cached_samples / served : null };
  }
  return out;
}

/**
 * Rebuild a history from the log, as if logging had been started (counter reset) just before
 * the first matching call: call indices are 0.. in the order the calls were answered. Only
 * runs logged with history on have calls.
 */
export function queryHistory(db: Db, filter: UsageFilter = {}, opts: { compact?: boolean } = {}): { history: History; calls: number } {
  const w = whereOf(filter, 'c');
  const stmt = db.prepare<unknown[], { body_hash: string; body: string; response: string }>(
    `SELECT c.body_hash AS body_hash, b.body AS body, c.response AS response
     FROM calls c JOIN bodies b ON b.hash = c.body_hash ${w.sql} ORDER BY c.time, c.id`,
  );
  const compact = opts.compact ?? true;
  const history: CompactHistory & FullHistory = {};
  const bodies = new Map<string, Record<string, unknown>>();
  let index = 0;
  for (const row of stmt.iterate(...w.params)) {
    let request = bodies.get(row.body_hash);
    if (!request) {
      request = JSON.parse(row.body) as Record<string, unknown>;
      bodies.set(row.body_hash, request);
    }
    const call = { request, response: JSON.parse(row.response) as CallResponse };
    if (compact) appendCompact(history, index++, call);
    else appendFull(history, index++, call);
  }
  return { history, calls: index };
}

function whereOf(f: UsageFilter, alias: 'u' | 'c'): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (f.since !== undefined) {
    clauses.push(`${alias}.time >= ?`);
    params.push(f.since);
  }
  if (f.run !== undefined) {
    clauses.push(`${alias}.run_id = ?`);
    params.push(f.run);
  }
  if (f.command !== undefined) {
    clauses.push(`${alias}.run_id IN (SELECT run_id FROM runs WHERE command = ?)`);
    params.push(f.command);
  }
  if (f.model !== undefined) {
    clauses.push(`${alias}.model = ?`);
    params.push(f.model);
  }
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

function andWhere(where: string, clause: string): string {
  return where ? `${where} AND ${clause}` : `WHERE ${clause}`;
}
