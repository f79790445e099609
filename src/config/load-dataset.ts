import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { DatasetError } from '../errors.js';

/** One record of a dataset and the 1-based line it starts on. */
export interface DatasetRow {
  row: Record<string, unknown>;
  /** 1-based line in the file (for a JSON array file: the line where the element starts). */
  line: number;
}

/** Options of {@link streamDataset}. */
export interface StreamDatasetOptions {
  /**
   * Fields every row must have, e.g. a prompt template's `{field}`s. A dotted name (`a.b`)
   * reaches into nested objects, as templates do.
   */
  requiredFields?: readonly string[];
  /**
   * The longest line accepted, in bytes (default {@link DEFAULT_MAX_LINE_BYTES}): a longer one
   * is an error naming its line, found before it is held in memory whole.
   */
  maxLineBytes?: number;
}

/**
 * 16 MiB: far above any real row (a long document with its answer), far below what would
 * exhaust memory, and it stops a file that is not JSONL (one huge line) early.
 */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

/** Options of {@link loadDataset}. */
export interface LoadDatasetOptions extends StreamDatasetOptions {
  /** Read at most this many rows. */
  limit?: number;
}

/** A dataset read into memory. */
export interface LoadedDataset {
  file: string;
  rows: Record<string, unknown>[];
  /** `lines[i]` is the 1-based line of `rows[i]`. */
  lines: number[];
}

const ROW_HINT = 'each line must hold one JSON object, e.g. {"problem": "What is 6 * 7?", "answer": "42"}';

/**
 * Stream a JSONL dataset row by row, with flat memory however large the file (it is read in
 * chunks with backpressure, never as a whole). Blank lines are skipped. A `.json` file holding a
 * JSON array is accepted too (read whole: meant for small data). Every problem is a
 * `DatasetError` (exit code 2) carrying the file and line: a missing file, a line that is not
 * JSON (with a snippet), a line that is not an object, a missing required field (listing the
 * row's fields), or an empty dataset (detected once the file is read to its end).
 *
 * @example
 * for await (const { row, line } of streamDataset('test.jsonl', { requiredFields: ['problem'] })) {
 *   console.log(line, row.problem);
 * }
 */
export async function* streamDataset(file: string, opts: StreamDatasetOptions = {}): AsyncGenerator<DatasetRow> {
  for await (const batch of streamDatasetBatches(file, opts)) yield* batch;
}

/**
 * {@link streamDataset} a batch of rows at a time (up to 64 lines of an 8 KiB chunk of JSONL,
 * parsed when asked for), checked the same way. For callers that go through every row: a step of
 * an async generator per row, through the layers of reading, cost more than parsing the row.
 * (Not more at once: what is read waits for its turn, and text or rows that wait through two
 * young-generation collections are moved to the old generation, which only a full GC frees.)
 *
 * @example
 * let rows = 0;
 * for await (const batch of streamDatasetBatches('test.jsonl')) rows += batch.length;
 */
export async function* streamDatasetBatches(file: string, opts: StreamDatasetOptions = {}): AsyncGenerator<DatasetRow[]> {
  await checkReadable(file);
  const required = opts.requiredFields ?? [];
  let count = 0;
  const source = file.toLowerCase().endsWith('.json') && (await startsWithBracket(file)) ? readJsonArray(file) : readJsonLines(file, opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  for await (const batch of source) {
    const checked = required.length === 0 ? [batch] : rowsUntilError(batch, (item) => (checkFields(item, required, file), item));
    for (const rows of checked) {
      count += rows.length;
      if (rows.length > 0) yield rows;
    }
  }
  if (count === 0) throw new DatasetError(`dataset ${file} has no rows`, { file, code: 'E_DATASET_EMPTY', hint: ROW_HINT });
}

/**
 * Read a dataset into memory (see {@link streamDataset} for the format and the errors).
 *
 * @example
 * const { rows, lines } = await loadDataset('tune.jsonl', { requiredFields: ['problem'], limit: 20 });
 * rows.length; // ≤ 20; lines[0] is the line of rows[0]
 */
export async function loadDataset(file: string, opts: LoadDatasetOptions = {}): Promise<LoadedDataset> {
  const limit = opts.limit ?? Infinity;
  if (!(limit >= 1)) throw new RangeError(`limit must be >= 1, got ${opts.limit}`);
  const rows: Record<string, unknown>[] = [];
  const lines: number[] = [];
  const { limit: _, ...streamOpts } = opts;
  const stream = streamDataset(file, streamOpts);
  for await (const { row, line } of stream) {
    rows.push(row);
    lines.push(line);
    if (rows.length >= limit) break;
  }
  return { file, rows, lines };
}

/**
 * Check that a row has the given fields; a missing one is a `DatasetError` naming the line, the
 * field and the fields the row does have. Exported for callers holding rows in memory.
 *
 * @example
 * checkFields({ row: { problem: 'x' }, line: 3 }, ['question'], 'data.jsonl'); // throws: data.jsonl:3: question
 */
export function checkFields(item: DatasetRow, required: readonly string[], file: string): void {
  for (const field of required) {
    if (hasField(item.row, field)) continue;
    const fields = Object.keys(item.row);
    throw new DatasetError(`the row has no field '${field}' (the prompt template uses {${field}})`, {
      file,
      line: item.line,
      field,
      code: 'E_DATASET_FIELD',
      hint: fields.length > 0 ? `the row's fields: ${fields.join(', ')}` : 'the row is an empty object',
    });
  }
}

// --- internal ---

function hasField(row: Record<string, unknown>, field: string): boolean {
  if (Object.hasOwn(row, field)) return true;
  if (!field.includes('.')) return false;
  let cur: unknown = row;
  for (const part of field.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, part)) return false;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur !== undefined;
}

async function checkReadable(file: string): Promise<void> {
  let isFile: boolean;
  try {
    isFile = (await stat(file)).isFile();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DatasetError(`cannot read dataset ${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`, {
      file,
      code: 'E_DATASET_READ',
      hint: 'check the path (relative paths are from the current directory)',
    });
  }
  if (!isFile) throw new DatasetError(`dataset ${file} is not a file`, { file, code: 'E_DATASET_READ', hint: 'name a .jsonl file' });
}

async function startsWithBracket(file: string): Promise<boolean> {
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 4096 })) {
    const text = (chunk as string).replace(/^\uFEFF/, '').trimStart();
    if (text !== '') return text.startsWith('[');
  }
  return false;
}

/** One line of text and its 1-based number. */
interface TextLine {
  text: string;
  line: number;
}

/**
 * The lines of each chunk of a file, in time linear in the file's size however long a line is:
 * bytes are decoded only once a line is complete (an unended line waits as raw chunks, never
 * re-joined or re-scanned per read), so an 8 MB line costs one pass, not one per 8 KiB read.
 * A line longer than `maxLineBytes` is an error as soon as it gets there (memory stays bounded),
 * and so is text that is not UTF-8 (never replaced by U+FFFD and scored as if it were the data).
 * Async iteration applies backpressure.
 */
async function* readLines(file: string, maxLineBytes: number): AsyncGenerator<TextLine[]> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let pending: Buffer[] = []; // the unended line, as read
  let pendingBytes = 0;
  let line = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 8 * 1024 })) {
    const bytes = chunk as Buffer;
    const end = bytes.lastIndexOf(0x0a) + 1;
    if (end > 0) {
      const block = pending.length === 0 ? bytes.subarray(0, end) : Buffer.concat([...pending, bytes.subarray(0, end)]);
      const { lines, error } = splitLines(block, line, { file, maxLineBytes, decoder });
      if (lines.length > 0) yield lines;
      if (error) throw error;
      line += lines.length;
      pending = [];
      pendingBytes = 0;
    }
    if (end < bytes.length) {
      pending.push(bytes.subarray(end));
      pendingBytes += bytes.length - end;
      if (pendingBytes > maxLineBytes) throw lineTooLong(file, line + 1, maxLineBytes);
    }
  }
  if (pendingBytes > 0) {
    const { lines, error } = splitLines(Buffer.concat(pending), line, { file, maxLineBytes, decoder });
    if (lines.length > 0) yield lines;
    if (error) throw error;
  }
}

/**
 * The lines of a block of whole lines (the last may be unended), numbered after `before`. One
 * decode of the block when it is valid UTF-8 and cannot hold an over-long line (the usual case);
 * otherwise line by line, to name the line at fault. The lines before a bad one come back with
 * the error, so a caller that stops early (--limit) never meets it.
 */
function splitLines(block: Buffer, before: number, ctx: { file: string; maxLineBytes: number; decoder: { decode(input: Uint8Array): string } }): { lines: TextLine[]; error?: DatasetError } {
  const lines: TextLine[] = [];
  const bom = before === 0 && block[0] === 0xef && block[1] === 0xbb && block[2] === 0xbf ? 3 : 0;
  let text: string | undefined;
  if (block.length <= ctx.maxLineBytes) {
    try {
      text = ctx.decoder.decode(block.subarray(bom));
    } catch {
      text = undefined; // found below, line by line
    }
  }
  if (text !== undefined) {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      lines.push({ text: text.slice(start, nl), line: before + lines.length + 1 });
      start = nl + 1;
    }
    if (start < text.length) lines.push({ text: text.slice(start), line: before + lines.length + 1 });
    return { lines };
  }
  for (let start = bom; start < block.length; ) {
    const nl = block.indexOf(0x0a, start);
    const stop = nl < 0 ? block.length : nl;
    const line = before + lines.length + 1;
    if (stop - start > ctx.maxLineBytes) return { lines, error: lineTooLong(ctx.file, line, ctx.maxLineBytes) };
    try {
      lines.push({ text: ctx.decoder.decode(block.subarray(start, stop)), line });
    } catch {
      return { lines, error: notUtf8(ctx.file, line) };
    }
    start = stop + 1;
  }
  return { lines };
}

function lineTooLong(file: string, line: number, maxLineBytes: number): DatasetError {
  return new DatasetError(`the line is longer than ${describeBytes(maxLineBytes)}, the most a dataset line may hold`, {
    file,
    line,
    code: 'E_DATASET_LINE_TOO_LONG',
    hint: 'check that the file is JSONL (one object per line); if rows really are this long, raise max_line_bytes in the config',
  });
}

function notUtf8(file: string, line: number): DatasetError {
  return new DatasetError('the line is not valid UTF-8 text (its bytes would be read as replacement characters, and scored as such)', {
    file,
    line,
    code: 'E_DATASET_UTF8',
    hint: 'save the file as UTF-8, e.g. iconv -f latin1 -t utf-8 in.jsonl > out.jsonl',
  });
}

/** `16 MiB` for whole mebibytes, else bytes. */
export function describeBytes(n: number): string {
  return n >= 1024 * 1024 && n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`;
}

/** Rows parsed per batch: a chunk's lines are parsed a few dozen at a time, when asked for (short lines make many rows per chunk). */
const ROWS_PER_BATCH = 64;

async function* readJsonLines(file: string, maxLineBytes: number): AsyncGenerator<DatasetRow[]> {
  const toRow = ({ text, line }: { text: string; line: number }): DatasetRow | undefined => {
    const trimmed = text.trim();
    return trimmed === '' ? undefined : { row: asObject(parseLine(trimmed, file, line), file, line), line };
  };
  for await (const lines of readLines(file, maxLineBytes)) {
    for (let i = 0; i < lines.length; i += ROWS_PER_BATCH) yield* rowsUntilError(lines.slice(i, i + ROWS_PER_BATCH), toRow);
  }
}

async function* readJsonArray(file: string): AsyncGenerator<DatasetRow[]> {
  const text = decodeWhole(await readFile(file), file);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new DatasetError(`not valid JSON (${(err as Error).message.split('\n')[0]})`, {
      file,
      ...syntaxErrorLine(text, err as Error),
      code: 'E_DATASET_JSON',
      hint: 'a .json dataset holds one JSON array of objects; use JSONL (one object per line) for large data',
    });
  }
  if (!Array.isArray(value)) throw new DatasetError('a .json dataset must hold an array of objects', { file, line: 1, code: 'E_DATASET_JSON', hint: ROW_HINT });
  const lines = topLevelElements(text).map((e) => e.line);
  yield* rowsUntilError(value.entries(), ([i, element]) => ({ row: asObject(element, file, lines[i] ?? 1), line: lines[i] ?? 1 }));
}

/** A whole file as UTF-8 text (a BOM dropped); text that is not UTF-8 is an error naming its line. */
function decodeWhole(bytes: Buffer, file: string): string {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const { lines, error } = splitLines(bytes, 0, { file, maxLineBytes: Infinity, decoder });
  if (error) throw error;
  return lines.map((l) => l.text).join('\n');
}

/**
 * Turn items into rows (undefined: skip the item) as one batch. When an item fails, the rows
 * before it come out first, then the error: as row by row, a caller that stops early (--limit)
 * never meets a bad row further on.
 */
function* rowsUntilError<T>(items: Iterable<T>, toRow: (item: T) => DatasetRow | undefined): Generator<DatasetRow[]> {
  const rows: DatasetRow[] = [];
  for (const item of items) {
    let row: DatasetRow | undefined;
    try {
      row = toRow(item);
    } catch (err) {
      if (rows.length > 0) yield rows;
      throw err;
    }
    if (row) rows.push(row);
  }
  yield rows;
}

function parseLine(text: string, file: string, line: number): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DatasetError(`not valid JSON (${(err as Error).message}): ${snippet(text)}`, { file, line, code: 'E_DATASET_JSON', hint: ROW_HINT });
  }
}

function asObject(value: unknown, file: string, line: number): Record<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  const what = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
  throw new DatasetError(`the row is ${what}, not a JSON object: ${snippet(JSON.stringify(value) ?? String(value))}`, {
    file,
    line,
    code: 'E_DATASET_ROW',
    hint: ROW_HINT,
  });
}

function snippet(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * The line of a JSON syntax error: from the position in the message when the engine gives one,
 * else the first top-level array element that does not parse on its own.
 */
function syntaxErrorLine(text: string, err: Error): { line?: number } {
  const pos = /position (\d+)/.exec(err.message);
  if (pos) return { line: lineAt(text, Number(pos[1])) };
  for (const e of topLevelElements(text)) {
    try {
      JSON.parse(text.slice(e.start, e.end));
    } catch {
      return { line: e.line };
    }
  }
  return {};
}

/** Where each top-level element of a JSON array starts and ends, and its first line. Tolerates bad JSON. */
function topLevelElements(text: string): Array<{ start: number; end: number; line: number }> {
  const out: Array<{ start: number; end: number; line: number }> = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let current: { start: number; end: number; line: number } | undefined;
  const close = (at: number): void => {
    if (current) current.end = at;
    current = undefined;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '\n') line++;
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (depth === 1 && !current && !/[\s\],]/.test(ch)) out.push((current = { start: i, end: text.length, line }));
    if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') {
      depth--;
      if (depth === 0) close(i);
    } else if (ch === ',' && depth === 1) close(i);
  }
  return out;
}
