/**
 * One error hierarchy for the whole library. Every error a user can cause carries a stable
 * `code`, the exit code the CLI should use, where it happened (file, line, field) and a `hint`
 * saying what to do. The CLI prints `message` and `hint`; anything that is not an
 * AutotuneError is a bug and is printed with its stack.
 */
export interface ErrorDetails {
  /** Stable machine-readable code, e.g. `E_CONFIG_FIELD`. */
  code: string;
  file?: string;
  line?: number;
  /** Key path inside the file, e.g. `search_space.max_tokens`. */
  field?: string;
  hint?: string;
  cause?: unknown;
  exitCode?: number;
}

export class AutotuneError extends Error {
  readonly code: string;
  readonly exitCode: number;
  readonly file?: string;
  readonly line?: number;
  readonly field?: string;
  readonly hint?: string;

  constructor(message: string, details: ErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = details.code;
    this.exitCode = details.exitCode ?? 1;
    if (details.file !== undefined) this.file = details.file;
    if (details.line !== undefined) this.line = details.line;
    if (details.field !== undefined) this.field = details.field;
    if (details.hint !== undefined) this.hint = details.hint;
  }

  /** `file:line: field: message` — the location prefix users grep for. */
  get location(): string {
    const parts: string[] = [];
    if (this.file) parts.push(this.line ? `${this.file}:${this.line}` : this.file);
    if (this.field) parts.push(this.field);
    return parts.join(': ');
  }
}

/** Bad user input: config files, flags, datasets, modules. Exit code 2, nothing spent. */
export class ConfigError extends AutotuneError {
  constructor(message: string, details: Partial<ErrorDetails> = {}) {
    super(message, { code: 'E_CONFIG', exitCode: 2, ...details });
  }
}

/** A JSONL dataset problem (line numbers are 1-based). */
export class DatasetError extends AutotuneError {
  constructor(message: string, details: Partial<ErrorDetails> = {}) {
    super(message, { code: 'E_DATASET', exitCode: 2, ...details });
  }
}

/** The optimization budget cannot fit the next request. */
export class BudgetError extends AutotuneError {
  constructor(message: string, details: Partial<ErrorDetails> = {}) {
    super(message, { code: 'E_BUDGET', exitCode: 1, ...details });
  }
}

/** One failed attempt at one endpoint, classified so retry/failover can decide. */
export type FailureKind =
  | 'rate_limit'
  | 'server_error'
  | 'timeout'
  | 'connection'
  | 'malformed'
  | 'auth'
  | 'not_found'
  | 'bad_request'
  | 'permission'
  | 'content_filter'
  | 'budget'
  | 'aborted'
  | 'other';

export interface AttemptFailure {
  configId: number;
  endpoint: string;
  kind: FailureKind;
  status?: number;
  message: string;
  attempts: number;
  /** Nothing answers there: the connection was refused or the host does not exist (or it was skipped as down for that). */
  unreachable?: boolean;
}

/** Every endpoint of the config list failed (after retries). */
export class ProviderError extends AutotuneError {
  readonly failures: readonly AttemptFailure[];
  constructor(message: string, failures: readonly AttemptFailure[], details: Partial<ErrorDetails> = {}) {
    super(message, { code: 'E_PROVIDER', exitCode: 1, ...details });
    this.failures = failures;
  }
}

/** The cache or usage database cannot be used. */
export class CacheError extends AutotuneError {
  constructor(message: string, details: Partial<ErrorDetails> = {}) {
    super(message, { code: 'E_CACHE', exitCode: 1, ...details });
  }
}

/**
 * A file could not be written (disk full, no permission, a read-only file system): not a bug,
 * and not the endpoint's fault. Exit code 2: nothing half-written is left behind.
 */
export class WriteError extends AutotuneError {
  constructor(message: string, details: Partial<ErrorDetails> = {}) {
    super(message, { code: 'E_WRITE', exitCode: 2, ...details });
  }
}

/** The run was interrupted (Ctrl-C / AbortSignal). */
export class AbortedError extends AutotuneError {
  constructor(message = 'interrupted', details: Partial<ErrorDetails> = {}) {
    super(message, { code: 'E_ABORTED', exitCode: 130, ...details });
  }
}
