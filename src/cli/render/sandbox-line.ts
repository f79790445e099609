import type { TestEvent } from '../../index.js';
import { colorsFor, writeLine, type CliIO } from '../io.js';

type EvalSandbox = Extract<TestEvent, { type: 'sandbox' }>['sandbox'];

/**
 * The sandbox model-written code runs in, said on stderr at the start of a run; the
 * unsafe-prelude opt-in as a warning, since it does not hold against hostile programs.
 */
export function printSandbox(io: CliIO, sandbox: EvalSandbox): void {
  const c = colorsFor(io, 'stderr');
  if (sandbox.level === 'namespace') writeLine(io.stderr, c.dim(`sandbox: ${sandbox.description}`));
  else writeLine(io.stderr, c.yellow(`warning: sandbox: ${sandbox.description}; the config asked for it (eval.sandbox)`));
}
