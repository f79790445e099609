import { randomBytes } from 'node:crypto';
import { write as fsWrite } from 'node:fs';
import { lstat, mkdir, open, realpath, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ConfigError, WriteError } from '../errors.js';

/** Flush once this many characters are buffered (few syscalls, flat memory). */
const FLUSH_AT = 64 * 1024;

/** Options of {@link OutputFile.open}. */
export interface OutputFileOptions {
  /** The flag or key that named the path, for messages (`--results`, `--output`). */
  field: string;
  /** Where `-` writes (the CLI's stdout). Without it, `-` is refused. */
  stdout?: NodeJS.WritableStream | undefined;
  /** Create a missing directory (default: a missing directory is an error). */
  makeDirectory?: boolean;
}

/**
 * The one way a command writes an output file (`--results`, `--output`, …), chosen by what the
 * path is:
 * - `-`: standard output (the stream given as `stdout`).
 * - a path that exists and is not a regular file (`/dev/stdout`, a FIFO, a terminal, or a
 *   symlink to one): written in place, never renamed over — a rename would replace the device
 *   or the link with a regular file.
 * - otherwise (a new or regular file): written to a hidden temporary file in the same directory,
 *   which replaces the target only on `commit()` (a rename, after fsync), so readers see the old
 *   file or the complete new one, never a half-written one. A symlink to a regular file is
 *   followed, so the link stays a link.
 *
 * A failed write (disk full, …) is a `WriteError` naming the file (exit code 2); the temporary
 * file is removed and the target left as it was.
 *
 * @example
 * const out = await OutputFile.open('results.jsonl', { field: '--results' });
 * try { await out.write('{"id": 1}\n'); await out.commit(); } catch (e) { await out.discard(); throw e; }
 */
export class OutputFile {
  #buffer = '';
  #closed = false;

  private constructor(
    /** The path as given (for messages). */
    readonly path: string,
    private readonly sink: Sink,
  ) {}

  static async open(path: string, opts: OutputFileOptions): Promise<OutputFile> {
    const fd = path === '-' ? 1 : ownDescriptor(path);
    if (fd === 1 && opts.stdout) return new OutputFile(path, streamSink(opts.stdout));
    if (path === '-') throw new ConfigError(`${opts.field} - (standard output) is not available here`, { field: opts.field, hint: 'give a file name' });
    if (fd !== undefined) return new OutputFile(path, descriptorSink(fd));
    const info = await stat(path).catch(() => null);
    if (info?.isDirectory()) throw new ConfigError(`${path} is a directory`, { field: opts.field, hint: 'give a file name, e.g. results.jsonl' });
    if (info && !info.isFile()) return new OutputFile(path, await inPlaceSink(path, opts.field));
    const isLink = info !== null && (await lstat(path)).isSymbolicLink();
    if (opts.makeDirectory) await mkdir(dirname(path), { recursive: true });
    return new OutputFile(path, await replacingSink(isLink ? await realpath(path) : path, opts.field));
  }

  /** Append text (buffered; awaits the disk when the buffer is full). */
  async write(text: string): Promise<void> {
    this.#buffer += text;
    if (this.#buffer.length >= FLUSH_AT) await this.#flush();
  }

  /** Write what is buffered and put the file in place. */
  async commit(): Promise<void> {
    if (this.#closed) throw new Error(`${this.path}: output already closed`);
    this.#closed = true;
    try {
      await this.#flush();
      await this.sink.commit();
    } catch (err) {
      await this.sink.discard();
      throw err instanceof WriteError ? err : writeError(this.path, err);
    }
  }

  /** Drop what was not committed (a temporary file is removed; the target is left as it was). Safe to call more than once. */
  async discard(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.sink.discard();
  }

  async #flush(): Promise<void> {
    if (this.#buffer === '') return;
    const chunk = this.#buffer;
    this.#buffer = '';
    try {
      await this.sink.write(chunk);
    } catch (err) {
      throw writeError(this.path, err);
    }
  }
}

/**
 * Write a whole file the way {@link OutputFile} does (`-`, special files in place, regular files
 * atomically).
 *
 * @example
 * await writeOutputFile('best.yaml', 'model: gpt-4o-mini\n', { field: '--output' });
 */
export async function writeOutputFile(path: string, text: string, opts: OutputFileOptions): Promise<void> {
  const out = await OutputFile.open(path, opts);
  try {
    await out.write(text);
    await out.commit();
  } catch (err) {
    await out.discard();
    throw err;
  }
}

/**
 * Whether {@link OutputFile} writes this path in place (`-`, a descriptor of the process, an
 * existing file that is not a regular file): a stream, holding nothing a write could replace.
 */
export async function writesInPlace(path: string): Promise<boolean> {
  if (path === '-' || ownDescriptor(path) !== undefined) return true;
  const info = await stat(path).catch(() => null);
  return info !== null && !info.isFile() && !info.isDirectory();
}

// --- internal ---

interface Sink {
  write(text: string): Promise<void>;
  commit(): Promise<void>;
  discard(): Promise<void>;
}

function streamSink(stream: NodeJS.WritableStream): Sink {
  const write = (text: string): Promise<void> =>
    new Promise((resolve, reject) => {
      // resolves once the stream took it (waits for 'drain' when its buffer is full)
      stream.write(text, (err) => (err ? reject(err) : resolve()));
    });
  return { write, commit: async () => undefined, discard: async () => undefined };
}

/**
 * `/dev/stdout`, `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`: a descriptor of this process.
 * Written through the descriptor itself: opening the path again fails when it is a socket
 * (ENXIO), which is what a parent's pipe often is.
 */
function ownDescriptor(path: string): number | undefined {
  if (path === '/dev/stdout') return 1;
  if (path === '/dev/stderr') return 2;
  const m = /^\/(?:dev\/fd|proc\/self\/fd)\/(\d+)$/.exec(path);
  return m ? Number(m[1]) : undefined;
}

/** Writes to an open descriptor of the process, which stays open. */
function descriptorSink(fd: number): Sink {
  const write = (text: string): Promise<void> =>
    new Promise((resolve, reject) => {
      writeAll(fd, Buffer.from(text), (err) => (err ? reject(err) : resolve()));
    });
  return { write, commit: async () => undefined, discard: async () => undefined };
}

function writeAll(fd: number, bytes: Buffer, done: (err: Error | null) => void): void {
  fsWrite(fd, bytes, 0, bytes.length, null, (err, written) => {
    if (err) done(err);
    else if (written < bytes.length) writeAll(fd, bytes.subarray(written), done);
    else done(null);
  });
}

/** A device, FIFO or socket: opened for writing as it is (a FIFO waits for its reader). */
async function inPlaceSink(path: string, field: string): Promise<Sink> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'w');
  } catch (err) {
    throw new ConfigError(`cannot write ${path}: ${(err as Error).message}`, { field, hint: 'choose another path' });
  }
  const close = async (): Promise<void> => {
    await handle.close().catch(() => undefined);
  };
  return { write: async (text) => void (await handle.write(text)), commit: () => handle.close(), discard: close };
}

async function replacingSink(path: string, field: string): Promise<Sink> {
  const tempPath = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: FileHandle;
  try {
    handle = await open(tempPath, 'wx');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(`cannot write next to ${path}: ${code === 'ENOENT' ? `directory ${dirname(path)} does not exist` : (err as Error).message}`, {
      field,
      hint: 'create the directory first, or choose another path',
    });
  }
  let open_ = true;
  const close = async (): Promise<void> => {
    if (open_) await handle.close().catch(() => undefined);
    open_ = false;
  };
  return {
    write: async (text) => void (await handle.write(text)),
    commit: async () => {
      await handle.sync();
      open_ = false;
      await handle.close();
      await rename(tempPath, path);
    },
    discard: async () => {
      await close();
      await unlink(tempPath).catch(() => undefined);
    },
  };
}

function writeError(path: string, err: unknown): WriteError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'ENOSPC' ? 'the disk is full' : code === 'EDQUOT' ? 'the disk quota is used up' : (err as Error).message;
  return new WriteError(`cannot write the output: ${why}`, {
    file: path,
    cause: err,
    hint: code === 'ENOSPC' || code === 'EDQUOT' ? 'free some space (or write elsewhere) and run again; the file was left as it was' : 'check the path and its permissions, and run again',
  });
}
