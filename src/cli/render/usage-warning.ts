import { colorsFor, envRedactor, writeLine, type CliIO } from '../io.js';

/** Warn once on stderr when the usage log cannot be written (the run itself goes on). */
export function usageLogWarning(io: CliIO): (err: Error) => void {
  const c = colorsFor(io, 'stderr');
  const redact = envRedactor(io.env);
  let warned = false;
  return (err) => {
    if (warned) return;
    warned = true;
    writeLine(io.stderr, c.yellow(`warning: usage is not being logged: ${err.message}`), redact);
  };
}
