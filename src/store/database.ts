import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { CacheError } from '../errors.js';

export type Db = Database.Database;

/** A schema migration: what moves the file from `user_version = index` to `index + 1` (SQL, or a step run in the same transaction). */
export type Migration = string | ((db: Db) => void);

/**
 * Open (creating if needed) a SQLite file for concurrent use by several processes:
 * WAL journal (readers never block the writer), a generous busy timeout so a second process
 * waits instead of failing with SQLITE_BUSY, NORMAL sync (WAL keeps the file consistent
 * after a crash; at most the last transactions are lost, never the database), and a 2 MB page
 * cache.
 */
export function openDatabase(path: string, migrations: readonly Migration[]): Db {
  try {
    return openOnce(path, migrations);
  } catch (err) {
    // `autotune cache clear` deleted the file between our open() and our first write (we
    // were waiting on its lock): SQLite refuses to write to an unlinked file. Open again,
    // which finds (or creates) the current file.
    if (!wasMoved(err)) throw err;
    return openOnce(path, migrations);
  }
}

/**
 * A SQLite error that is the file's fault, not a bug or the endpoint's: a damaged file (garbage
 * bytes, a torn copy: SQLITE_CORRUPT, SQLITE_NOTADB) or a full disk (SQLITE_FULL). As a
 * CacheError naming the file and what to do (exit code 2); undefined for any other error.
 *
 * @example
 * try { db.prepare('SELECT 1 FROM samples').get(); } catch (e) { throw databaseFault(e, path) ?? e; }
 */
export function databaseFault(err: unknown, path: string): CacheError | undefined {
  if (err instanceof CacheError) return err;
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  const said = (err as Error).message;
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new CacheError(`the file is damaged: SQLite cannot read it as a database (${said}); this is not the endpoint's fault`, {
      file: path,
      code: 'E_CACHE_CORRUPT',
      exitCode: 2,
      cause: err,
      hint: `delete it and run again: rm ${path}*  (only the answers stored there are lost; they are requested again when needed)`,
    });
  }
  if (code === 'SQLITE_FULL') {
    return new CacheError(`cannot write the file: the disk is full`, { file: path, code: 'E_CACHE_FULL', exitCode: 2, cause: err, hint: 'free some space (or point --cache-path-root elsewhere) and run again' });
  }
  return undefined;
}

function wasMoved(err: unknown): boolean {
  const code = (e: unknown): unknown => (e as { code?: unknown } | null)?.code;
  const cause = (err as { cause?: unknown } | null)?.cause;
  return [code(err), code(cause)].some((c) => c === 'SQLITE_READONLY_DBMOVED' || c === 'SQLITE_CANTOPEN');
}

function openOnce(path: string, migrations: readonly Migration[]): Db {
  let db: Db | undefined;
  try {
    mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, { timeout: 15000 });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 15000');
    // better-sqlite3 builds SQLite with a 16 MB page cache per connection, which fills as the
    // file grows, so a long run's memory grew with its data. A small cache keeps memory flat in
    // the size of the data; pages beyond it come from the OS's file cache, and a cached re-run
    // reads no slower (bench section 4 measures both).
    db.pragma('cache_size = -2048');
  } catch (err) {
    if (db?.open) db.close();
    const fault = databaseFault(err, path);
    if (fault) throw fault;
    throw new CacheError(`cannot open database ${path}: ${(err as Error).message}`, {
      file: path,
      cause: err,
      hint: 'check that the directory is writable, or point --cache-path-root elsewhere',
    });
  }
  try {
    migrate(db, path, migrations);
  } catch (err) {
    db.close();
    throw databaseFault(err, path) ?? err;
  }
  return db;
}

function migrate(db: Db, path: string, migrations: readonly Migration[]): void {
  // BEGIN IMMEDIATE takes the write lock first, so two processes opening a fresh file at once
  // do not both try to create the schema.
  const run = db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > migrations.length) {
      throw new CacheError(`database ${path} has schema version ${version}, newer than this autotune knows (${migrations.length})`, {
        file: path,
        hint: 'upgrade autotune, or clear this cache',
      });
    }
    for (let v = version; v < migrations.length; v++) {
      const step = migrations[v] as Migration;
      if (typeof step === 'string') db.exec(step);
      else step(db);
    }
    if (version !== migrations.length) db.pragma(`user_version = ${migrations.length}`);
  });
  run.immediate();
}
