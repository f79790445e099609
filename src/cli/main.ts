import { Command, CommanderError } from 'commander';
import { AutotuneError } from '../index.js';
import { envRedactor, processIO, writeLine, type CliIO } from './io.js';
import { addCommand, type CliContext } from './command.js';
import { cacheCommand } from './commands/cache.js';
import { compareCommand } from './commands/compare.js';
import { createCommand } from './commands/create.js';
import { initCommand } from './commands/init.js';
import { pricesCommand } from './commands/prices.js';
import { reportCommand } from './commands/report.js';
import { testCommand } from './commands/test.js';
import { tuneCommand } from './commands/tune.js';
import { usageCommand } from './commands/usage.js';
import { ENVIRONMENT_HELP, examples } from './help.js';
import { packageVersion } from '../util/package-root.js';

/** Exit code for bugs (EX_SOFTWARE): anything that is not an AutotuneError. */
const EXIT_BUG = 70;

/**
 * Run the CLI with arguments (without `node autotune`); resolves to the exit code. Only
 * bin/autotune.js touches process.exitCode, so tests run commands in-process.
 */
export async function run(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  // built once per run: every command and renderer gets it through the context
  const redact = envRedactor(io.env);
  const ctx: CliContext = { io, redact };
  const program = new Command('autotune')
    .description('Cost-aware tuning and evaluation of LLM inference settings')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(redact(s)),
    })
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      examples([
        ['autotune init && autotune tune -o best.yaml', 'write a commented autotune.yaml (with sample data), tune it, save the best config'],
        ['autotune test --config best.yaml --data test.jsonl', 'measure the saved config on held-out data'],
      ]) + `\n${ENVIRONMENT_HELP}`,
    );
  let exitCode = 0;
  const setExit = (code: number): void => {
    exitCode = code;
  };
  // help lists commands in this order: the headline first
  for (const command of [tuneCommand, testCommand, createCommand, usageCommand, cacheCommand, pricesCommand, initCommand, compareCommand, reportCommand]) {
    addCommand(program, command, ctx, setExit);
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    return reportError(err, io, redact);
  }
}

/** Print an error the way users need it: location, message, what to do. Returns the exit code. */
export function reportError(err: unknown, io: CliIO, redact: (s: string) => string): number {
  if (err instanceof CommanderError) {
    // help and version are not failures; usage errors were already printed by commander. No
    // command at all (`autotune`, `autotune cache`) printed the help on stderr: a usage error.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
    if (err.code === 'commander.help') return err.exitCode === 0 ? 0 : 2;
    return 2;
  }
  if (err instanceof AutotuneError) {
    const where = err.location ? `${err.location}: ` : '';
    writeLine(io.stderr, `error: ${where}${err.message}`, redact);
    if (err.hint) writeLine(io.stderr, `  hint: ${err.hint}`, redact);
    return err.exitCode;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  writeLine(io.stderr, `internal error: ${e.stack ?? e.message}`, redact);
  writeLine(io.stderr, 'this is a bug in autotune: please report it with the command you ran', redact);
  return EXIT_BUG;
}
