import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { databaseFault, openDatabase, type Db, type Migration } from './database.js';

/** One cached sample (one choice of a completion), with its share of the tokens. */
export interface CachedSample {
  /** The OpenAI choice object without its `index` (message/text, finish_reason, …). */
  choice: Record<string, unknown>;
  /** Completion tokens attributed to this choice. */
  completionTokens: number;
  /** Prompt tokens of the request that produced it. */
  promptTokens: number;
  /** Model name the server reported. */
  model: string;
}

/**
 * Where completions are remembered. Samples are stored per request key (the canonical request
 * *without* `n`), in the order they were drawn, so a request for n samples can be served from
 * the first n stored ones and only the missing ones need to be paid for.
 */
export interface ResponseCache {
  /** The first `n` samples stored under `key` (fewer if fewer are stored). */
  get(key: string, n: number): CachedSample[];
  /** `get` for many keys in one read (optional: callers fall back to `get`). */
  getMany?(requests: ReadonlyArray<{ key: string; n: number }>): CachedSample[][];
  /** Append samples under `key` (after any already stored), atomically. */
  append(key: string, request: unknown, samples: readonly CachedSample[]): void;
  /** Number of distinct request keys and samples. */
  stats(): { requests: number; samples: number };
  close(): void;
}

/** What opening a cache found to say: samples of an older key format it emptied (never served). */
export interface CacheNotice {
  type: 'cache_reset';
  file: string;
  /** Samples removed. */
  dropped: number;
  reason: string;
}

/**
 * Schema 1 keyed samples by the request alone, so one endpoint's answers were served for
 * another's model of the same name. Schema 2 keys include the endpoint (build-request.ts,
 * `cacheIdentity`); samples stored under the old keys can never be asked for again, and must
 * not be, so they are removed, and whoever opened the file is told how many.
 */
function emptyOldKeys(onNotice: ((n: CacheNotice) => void) | undefined, file: string) {
  return (db: Db): void => {
    const dropped = (db.prepare('SELECT COUNT(*) AS c FROM samples').get() as { c: number }).c;
    db.exec('DELETE FROM samples; DELETE FROM requests;');
    if (dropped > 0) onNotice?.({ type: 'cache_reset', file, dropped, reason: 'written before the endpoint was part of the cache key' });
  };
}

const SCHEMA_1 = [
  `CREATE TABLE requests (
     key TEXT PRIMARY KEY,
     request TEXT NOT NULL,
     created_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE samples (
     key TEXT NOT NULL,
     idx INTEGER NOT NULL,
     model TEXT NOT NULL,
     prompt_tokens INTEGER NOT NULL,
     completion_tokens INTEGER NOT NULL,
     choice TEXT NOT NULL,
     PRIMARY KEY (key, idx)
   ) WITHOUT ROWID;`,
];

function migrations(file: string, onNotice?: (n: CacheNotice) => void): Migration[] {
  return [...SCHEMA_1, emptyOldKeys(onNotice, file)];
}

/** The cache directory of a seed: `{root}/{seed}`. */
export function cacheDir(root: string, seed: number | string): string {
  return join(root, String(seed));
}

/** The SQLite file inside a seed's cache directory. */
export const CACHE_FILE = 'cache.sqlite';

/** How a cache answered its lookups (for tests and benchmarks). */
export interface LookupCounts {
  /** Lookups answered by reading the database. */
  read: number;
  /** Misses answered from memory: the key is in no stored request, and no other connection has written since that was known. */
  skipped: number;
  /** Statements that read samples (a `getMany` reads many keys with one). */
  queries: number;
}

/** Misses read from the database before the index of stored keys is built (doubled each time another connection invalidates it). */
const MISSES_BEFORE_INDEX = 16;

/**
 * SQLite-backed ResponseCache at `{root}/{seed}/cache.sqlite`, safe across processes. The file
 * is created on first use, so a run that fails validation leaves nothing behind.
 *
 * A cold run asks for thousands of keys that are not stored, and each miss was a read (two per
 * request: one before waiting for a slot, one after). After a few misses the cache therefore
 * indexes the keys it holds, as 32-bit hashes in memory, and answers a key absent from that
 * index without reading, as long as `PRAGMA data_version` shows that no other connection has
 * written since the index was taken (its own appends keep the index current). A hash collision
 * only costs a read; another process's write drops the index until enough misses pay for a
 * new one. A run served from the cache never builds it.
 */
export class SqliteResponseCache implements ResponseCache {
  private handle: Statements | undefined;
  private index: { hashes: Set<number>; version: number } | undefined;
  private misses = 0;
  private missesBeforeIndex = MISSES_BEFORE_INDEX;
  readonly lookups: LookupCounts = { read: 0, skipped: 0, queries: 0 };

  /** `onNotice`: told when opening the file removed samples of an older key format. */
  constructor(
    readonly path: string,
    private readonly onNotice?: (n: CacheNotice) => void,
  ) {}

  /** Open the cache of one seed under a root directory. */
  static open(root: string, seed: number | string, onNotice?: (n: CacheNotice) => void): SqliteResponseCache {
    return new SqliteResponseCache(join(cacheDir(root, seed), CACHE_FILE), onNotice);
  }

  private get s(): Statements {
    this.handle ??= prepare(openDatabase(this.path, migrations(this.path, this.onNotice)));
    return this.handle;
  }

  get(key: string, n: number): CachedSample[] {
    return this.getMany([{ key, n }])[0] as CachedSample[];
  }

  getMany(requests: ReadonlyArray<{ key: string; n: number }>): CachedSample[][] {
    return this.guard(() => this.read(requests));
  }

  /** Run a database operation; a damaged file or a full disk is a CacheError naming the file. */
  private guard<T>(op: () => T): T {
    try {
      return op();
    } catch (err) {
      throw databaseFault(err, this.path) ?? err;
    }
  }

  private read(requests: ReadonlyArray<{ key: string; n: number }>): CachedSample[][] {
    // reading never creates the file: a run that only fails leaves no cache behind
    if (!this.handle && !existsSync(this.path)) return requests.map(() => []);
    const wanted = new Map<string, number>();
    const hashes = this.currentIndex(); // once for the batch
    for (const { key, n } of requests) {
      if (hashes && !hashes.has(keyHash(key))) this.lookups.skipped++;
      else wanted.set(key, Math.max(wanted.get(key) ?? 0, n));
    }
    const stored = new Map<string, SampleRow[]>();
    if (wanted.size > 0) {
      this.lookups.read += wanted.size;
      this.lookups.queries++;
      const [only] = wanted;
      // one key: the plain statement; more: all of them in one (the keys as a JSON array)
      const rows = wanted.size === 1 && only ? this.s.selectSamples.all(only[0], only[1]) : this.s.selectMany.all(JSON.stringify([...wanted.keys()]), Math.max(...wanted.values()));
      for (const r of rows) {
        const list = stored.get(r.key);
        if (list) list.push(r);
        else stored.set(r.key, [r]);
      }
      for (const key of wanted.keys()) if (!stored.has(key)) this.noteMiss();
    }
    return requests.map(({ key, n }) => (stored.get(key) ?? []).slice(0, n).map(toSample));
  }

  private noteMiss(): void {
    if (++this.misses >= this.missesBeforeIndex && !this.index) this.buildIndex();
  }

  append(key: string, request: unknown, samples: readonly CachedSample[]): void {
    if (samples.length === 0) return;
    this.guard(() => this.s.appendTx.immediate(key, JSON.stringify(request), samples));
    this.index?.hashes.add(keyHash(key));
  }

  stats(): { requests: number; samples: number } {
    const db = this.s.db;
    const r = db.prepare<[], { c: number }>('SELECT COUNT(DISTINCT key) AS c FROM samples').get();
    const s = db.prepare<[], { c: number }>('SELECT COUNT(*) AS c FROM samples').get();
    return { requests: r?.c ?? 0, samples: s?.c ?? 0 };
  }

  close(): void {
    if (this.handle?.db.open) this.handle.db.close();
    this.handle = undefined;
    this.index = undefined;
  }

  /** The index of stored keys, if there is one and no other connection has written since. */
  private currentIndex(): Set<number> | undefined {
    const index = this.index;
    if (!index) return undefined;
    if (this.s.dataVersion.get() !== index.version) {
      // another connection wrote (or cleared): the index may be stale
      this.index = undefined;
      this.misses = 0;
      this.missesBeforeIndex *= 2;
      return undefined;
    }
    return index.hashes;
  }

  private buildIndex(): void {
    // the version first: a write that lands during the scan makes it differ at the next lookup
    const version = this.s.dataVersion.get() as number;
    const hashes = new Set<number>();
    for (const key of this.s.selectKeys.iterate()) hashes.add(keyHash(key as string));
    this.index = { hashes, version };
  }
}

/** A stored sample as read. */
interface SampleRow {
  key: string;
  model: string;
  prompt_tokens: number;
  completion_tokens: number;
  choice: string;
}

function toSample(r: SampleRow): CachedSample {
  return { model: r.model, promptTokens: r.prompt_tokens, completionTokens: r.completion_tokens, choice: JSON.parse(r.choice) as Record<string, unknown> };
}

/** FNV-1a, 32 bits: a small-integer stand-in for a key in the in-memory index. */
function keyHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h | 0;
}

type Statements = ReturnType<typeof prepare>;

function prepare(db: Db) {
  const selectSamples = db.prepare<[string, number], SampleRow>('SELECT key, model, prompt_tokens, completion_tokens, choice FROM samples WHERE key = ? ORDER BY idx LIMIT ?');
  const countSamples = db.prepare<[string], { c: number }>('SELECT COALESCE(MAX(idx) + 1, 0) AS c FROM samples WHERE key = ?');
  const insertSample = db.prepare('INSERT INTO samples (key, idx, model, prompt_tokens, completion_tokens, choice) VALUES (?, ?, ?, ?, ?, ?)');
  // Appending reads the current count and writes after it inside one IMMEDIATE transaction,
  // so two processes appending to the same key never collide or overwrite each other. (The
  // request text itself is not stored: writing it with every new key doubled the cost of a
  // cold run's cache writes; the `requests` table stays for caches written before.)
  const appendTx = db.transaction((key: string, _request: string, samples: readonly CachedSample[]) => {
    let idx = countSamples.get(key)?.c ?? 0;
    for (const s of samples) insertSample.run(key, idx++, s.model, s.promptTokens, s.completionTokens, JSON.stringify(s.choice));
  });
  // many keys in one statement: the keys as one JSON array, each read up to the largest n asked
  const selectMany = db.prepare<[string, number], SampleRow>(
    'SELECT key, model, prompt_tokens, completion_tokens, choice FROM samples WHERE key IN (SELECT value FROM json_each(?)) AND idx < ? ORDER BY key, idx',
  );
  const selectKeys = db.prepare('SELECT DISTINCT key FROM samples').pluck();
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  return { db, selectSamples, selectMany, appendTx, selectKeys, dataVersion };
}
