import { Chalk, type ChalkInstance } from 'chalk';

/** Where the CLI reads and writes; tests pass their own. */
export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Aborted on Ctrl-C by bin/; commands pass it down. */
  signal?: AbortSignal;
}

/** The process's own streams and environment. */
export function processIO(signal?: AbortSignal): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), ...(signal ? { signal } : {}) };
}

/** Colours for a stream: none when NO_COLOR is set or the stream is not a terminal. */
export function colorsFor(io: CliIO, stream: 'stdout' | 'stderr' = 'stdout'): ChalkInstance {
  const env = io.env;
  const tty = Boolean(io[stream].isTTY);
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0';
  const off = (env.NO_COLOR !== undefined && env.NO_COLOR !== '') || (!tty && !forced);
  return new Chalk({ level: off ? 0 : 1 });
}

/**
 * Replace secrets with `***` in anything the CLI prints: the values of environment variables
 * whose names look like credentials (…KEY, …TOKEN, …SECRET, …PASSWORD).
 */
export function makeRedactor(env: Readonly<Record<string, string | undefined>>): (s: string) => string {
  const secrets = Object.entries(env)
    .filter(([k, v]) => /KEY|TOKEN|SECRET|PASSWORD/i.test(k) && typeof v === 'string' && v.length >= 6)
    .map(([, v]) => v as string)
    .sort((a, b) => b.length - a.length);
  return (s) => secrets.reduce((acc, secret) => acc.split(secret).join('***'), s);
}

/** Write a line (adds the newline), redacted. */
export function writeLine(stream: NodeJS.WritableStream, text: string, redact: (s: string) => string = (s) => s): void {
  stream.write(`${redact(text)}\n`);
}
