import { createInterface } from 'node:readline/promises';
import { Chalk, type ChalkInstance } from 'chalk';
import { redactCredentialShapes, redactorOf, secretEnvValues, type Redactor } from '../util/redact.js';

/** Where the CLI reads and writes; tests pass their own. */
export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Aborted on Ctrl-C by bin/; commands pass it down. */
  signal?: AbortSignal;
  /**
   * Ask the person at the terminal a yes/no question; absent when nobody can answer (stdin or
   * stderr is not a terminal), so a destructive command refuses instead of guessing.
   */
  confirm?: (question: string) => Promise<boolean>;
  /** Milliseconds between plain progress lines when stderr is not a terminal (default 10 s). */
  progressEveryMs?: number;
}

/** The process's own streams and environment; `confirm` only when a person is at the terminal. */
export function processIO(signal?: AbortSignal): CliIO {
  const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    ...(signal ? { signal } : {}),
    ...(interactive ? { confirm: (question: string) => askYesNo(question, process.stdin, process.stderr) } : {}),
  };
}

/** Ask on `output`, read one line from `input`: yes only for y or yes. */
export async function askYesNo(question: string, input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<boolean> {
  const rl = createInterface({ input, output });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/**
 * Colours for a stream: none when NO_COLOR is set, on a terminal that says it has none
 * (TERM=dumb), or when the stream is not a terminal (unless FORCE_COLOR).
 */
export function colorsFor(io: CliIO, stream: 'stdout' | 'stderr' = 'stdout'): ChalkInstance {
  const env = io.env;
  const tty = Boolean(io[stream].isTTY) && env.TERM !== 'dumb';
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0';
  const off = (env.NO_COLOR !== undefined && env.NO_COLOR !== '') || (!tty && !forced);
  return new Chalk({ level: off ? 0 : 1 });
}

/** The terminal's width when stdout is one (tables are fitted to it); undefined for pipes and files. */
export function terminalWidth(io: CliIO): number | undefined {
  const columns = io.stdout.columns;
  return io.stdout.isTTY && typeof columns === 'number' && columns > 0 ? columns : undefined;
}

/**
 * Replace secrets with `***` in anything the CLI prints: the values of environment variables
 * whose names say they hold a credential (see util/redact.ts).
 */
export function envRedactor(env: Readonly<Record<string, string | undefined>>): Redactor {
  return redactorOf(secretEnvValues(env));
}

/** Write a line (adds the newline), redacted. */
export function writeLine(stream: NodeJS.WritableStream, text: string, redact: (s: string) => string = (s) => s): void {
  stream.write(`${redact(text)}\n`);
}

/**
 * With NODE_DEBUG set (`NODE_DEBUG=http` dumps every request's headers, `Authorization: Bearer
 * sk-…` included), make everything written to stderr pass through the redactor: the secrets of
 * the environment, and anything shaped like a credential (`Bearer …`, a quoted `api-key` value).
 * Node writes its debug lines with `process.stderr.write`, so this is the one place they can be
 * caught. Only bin/ calls it, for the process's own stream; without NODE_DEBUG nothing changes.
 */
export function redactDebugOutput(stream: NodeJS.WriteStream, env: Readonly<Record<string, string | undefined>>): void {
  if (!env.NODE_DEBUG) return;
  const redact = envRedactor(env);
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) =>
    write(typeof chunk === 'string' || Buffer.isBuffer(chunk) ? redactCredentialShapes(redact(String(chunk))) : chunk, ...rest)) as typeof stream.write;
}
