import type { CliContext } from '../command.js';
import { colorsFor, writeLine } from '../io.js';

/** Warn once on stderr when the usage log cannot be written (the run itself goes on). */
export function usageLogWarning({ io, redact }: CliContext): (err: Error) => void {
  const c = colorsFor(io, 'stderr');
  let warned = false;
  return (err) => {
    if (warned) return;
    warned = true;
    writeLine(io.stderr, c.yellow(`warning: usage is not being logged: ${err.message}`), redact);
  };
}
