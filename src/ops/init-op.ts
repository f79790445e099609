import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { SCHEMA_FILE } from '../config/config-schema.js';
import { DEFAULT_CONFIG_FILE, initConfigText } from '../config/init-config.js';
import { ConfigError } from '../errors.js';
import { packageRoot } from '../util/package-root.js';

/** What `autotune init` is asked to do. */
export interface InitInput {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** The config to write (default autotune.yaml), relative to `cwd`. */
  file?: string | undefined;
  /** The user's JSONL data; without it a small sample is written beside the config. */
  data?: string | undefined;
  /** The row field holding the expected answer (default `answer` when the first row has one). */
  answerField?: string | undefined;
}

/** What `autotune init` wrote. */
export interface InitResult {
  config: string;
  data: string;
  /** True when the sample data was written (no `data` was given). */
  wroteSample: boolean;
  inputField: string;
  answerField: string;
}

/** The sample's name, beside the config. */
export const SAMPLE_DATA_FILE = 'autotune-data.jsonl';
/** Rows of the bundled arithmetic set copied into the sample. */
const SAMPLE_ROWS = 20;
/** Row fields that usually hold the input, tried first for the prompt. */
const INPUT_NAMES = ['question', 'problem', 'input', 'prompt', 'text', 'query'];

/**
 * Write a commented starter config (and, without `data`, a small sample data file), never over
 * an existing file. The fields of the prompt and the eval come from the first row of the data.
 *
 * @example
 * runInit({ cwd: process.cwd(), env: process.env, data: 'qa.jsonl', answerField: 'gold' }).config;
 */
export function runInit(input: InitInput): InitResult {
  const config = resolve(input.cwd, input.file ?? DEFAULT_CONFIG_FILE);
  refuseExisting(config);
  const dir = dirname(config);
  let data: string;
  let rows: string[] | undefined;
  if (input.data !== undefined) {
    data = resolve(input.cwd, input.data);
  } else {
    data = join(dir, SAMPLE_DATA_FILE);
    refuseExisting(data);
    rows = sampleRows();
  }
  const first = firstRow(rows?.[0], data);
  const answerField = input.answerField ?? ('answer' in first ? 'answer' : undefined);
  if (answerField === undefined || !(answerField in first)) {
    throw new ConfigError(answerField === undefined ? `the first row of ${data} has no answer field` : `the first row of ${data} has no field ${answerField}`, {
      field: '--eval-field',
      hint: `name the row field holding the expected answer: --eval-field FIELD (the row has ${Object.keys(first).join(', ')})`,
    });
  }
  const inputField = pickInputField(first, answerField, data);
  if (rows) writeFileSync(data, `${rows.join('\n')}\n`, { flag: 'wx' });
  const text = initConfigText({ data: relative(dir, data) || data, inputField, answerField, baseURL: input.env.OPENAI_BASE_URL || undefined, schema: schemaRef(dir) });
  writeFileSync(config, text, { flag: 'wx' });
  return { config, data, wroteSample: rows !== undefined, inputField, answerField };
}

// --- internal ---

function refuseExisting(file: string): void {
  if (existsSync(file)) {
    throw new ConfigError(`${file} exists: init never overwrites a file`, { file, hint: 'remove it first, or give init another name: autotune init other.yaml' });
  }
}

/** The first rows of the bundled arithmetic tuning set (shipped in the package's fixtures/). */
function sampleRows(): string[] {
  const root = packageRoot();
  const file = root ? join(root, 'fixtures', 'data', 'arith', 'tune.jsonl') : undefined;
  if (!file || !existsSync(file)) throw new ConfigError('the sample data of the package is missing', { hint: 'give your own data: autotune init --data FILE.jsonl' });
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').slice(0, SAMPLE_ROWS);
}

function firstRow(line: string | undefined, file: string): Record<string, unknown> {
  let text = line;
  if (text === undefined) {
    let all: string;
    try {
      all = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file, field: '--data', hint: 'give a JSONL file: one JSON object per line' });
    }
    text = all.split('\n').find((l) => l.trim() !== '');
  }
  let row: unknown;
  try {
    row = text === undefined ? undefined : JSON.parse(text);
  } catch {
    row = undefined;
  }
  if (!row || typeof row !== 'object' || Array.isArray(row)) {
    throw new ConfigError(`the first line of ${file} is not a JSON object`, { file, line: 1, field: '--data', hint: 'give a JSONL file: one JSON object per line' });
  }
  return row as Record<string, unknown>;
}

function pickInputField(row: Record<string, unknown>, answerField: string, file: string): string {
  const text = Object.keys(row).filter((k) => k !== answerField && k !== 'id' && typeof row[k] === 'string');
  const field = INPUT_NAMES.find((n) => text.includes(n)) ?? text[0];
  if (field === undefined) throw new ConfigError(`the first row of ${file} has no text field besides ${answerField} to put in a prompt`, { file, line: 1, field: '--data' });
  return field;
}

/** The shipped schema, as the config should name it: relative when near, else absolute. */
function schemaRef(dir: string): string | undefined {
  const root = packageRoot();
  const schema = root ? join(root, SCHEMA_FILE) : undefined;
  if (!schema || !existsSync(schema)) return undefined;
  const rel = relative(dir, schema);
  return rel.startsWith('..') ? schema : `./${rel}`;
}
