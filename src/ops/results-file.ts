import { randomBytes } from 'node:crypto';
import { open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ConfigError } from '../errors.js';

/** Flush to disk once this many characters are buffered (few syscalls, flat memory). */
const FLUSH_AT = 64 * 1024;

/**
 * A JSONL file written atomically: lines go to a hidden temporary file in the same directory,
 * which replaces the target only on `commit()` (a rename, after fsync). On `discard()` — or a
 * crash — the target keeps its previous content, so readers see either the old file or a
 * complete new one, never a half-written one.
 *
 * @example
 * const out = await AtomicJsonlWriter.open('results.jsonl');
 * try { await out.write({ id: 1 }); await out.commit(); } catch (e) { await out.discard(); throw e; }
 */
export class AtomicJsonlWriter {
  #buffer = '';
  #lines = 0;
  #closed = false;

  private constructor(
    readonly path: string,
    readonly tempPath: string,
    private readonly handle: FileHandle,
  ) {}

  /** Create the temporary file next to `path`. A missing directory is a ConfigError (exit 2). */
  static async open(path: string, field = '--results'): Promise<AtomicJsonlWriter> {
    const info = await stat(path).catch(() => null);
    if (info?.isDirectory()) throw new ConfigError(`${path} is a directory`, { field, hint: 'give a file name for the results, e.g. results.jsonl' });
    const tempPath = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
    let handle: FileHandle;
    try {
      handle = await open(tempPath, 'wx');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new ConfigError(`cannot write results next to ${path}: ${code === 'ENOENT' ? `directory ${dirname(path)} does not exist` : (err as Error).message}`, {
        field,
        hint: 'create the directory first, or choose another path',
      });
    }
    return new AtomicJsonlWriter(path, tempPath, handle);
  }

  /** Lines written so far. */
  get lines(): number {
    return this.#lines;
  }

  /** Append one JSON line (buffered; awaits the disk when the buffer is full). */
  async write(value: unknown): Promise<void> {
    this.#buffer += `${JSON.stringify(value)}\n`;
    this.#lines++;
    if (this.#buffer.length >= FLUSH_AT) await this.#flush();
  }

  /** Flush, fsync and move the file into place. */
  async commit(): Promise<void> {
    if (this.#closed) throw new Error('results file already closed');
    await this.#flush();
    await this.handle.sync();
    await this.handle.close();
    this.#closed = true;
    await rename(this.tempPath, this.path);
  }

  /** Drop the temporary file; the target is left as it was. Safe to call more than once. */
  async discard(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      await this.handle.close().catch(() => undefined);
    }
    await unlink(this.tempPath).catch(() => undefined);
  }

  async #flush(): Promise<void> {
    if (this.#buffer === '') return;
    const chunk = this.#buffer;
    this.#buffer = '';
    await this.handle.write(chunk);
  }
}
