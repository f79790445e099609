import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { DEFAULT_CACHE_ROOT } from '../../context.js';
import { runUsage } from '../../ops/usage-op.js';
import { examples } from '../help.js';
import { colorsFor, envRedactor, writeLine, type CliIO } from '../io.js';
import { renderUsageReport } from '../render/usage-report.js';
import { displayPath } from '../render/units.js';

interface UsageFlags {
  cachePathRoot?: string;
  since?: string;
  run?: string;
  command?: string;
  model?: string;
  json?: boolean;
  history?: boolean;
  full?: boolean;
}

/** `autotune usage`: what was spent and saved, per model, from `{cache-path-root}/usage.sqlite`. */
export function registerUsage(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('usage')
    .description('requests, cache hits, tokens, USD paid and saved per model, and failures, from the usage log')
    .option('--cache-path-root <dir>', 'cache root holding usage.sqlite (default .cache)')
    .option('--since <when>', 'only rows since a date (2026-11-01), ISO time or duration back from now (30m, 2h, 7d)')
    .option('--run <id>', 'only this run')
    .addOption(new Option('--command <name>', 'only runs of this command').choices(['tune', 'test', 'create']))
    .option('--model <model>', 'only this model')
    .option('--history', 'print the logged history (compact: one entry per conversation) instead of totals')
    .option('--full', 'with --history: one {request, response} per call')
    .option('--json', 'print one JSON object on stdout')
    .addHelpText(
      'after',
      examples([
        ['autotune usage', 'spend and cache savings per model, all time'],
        ['autotune usage --since 2h --command tune', "the last two hours' tunes"],
        ['autotune usage --history --run <id> --json', "one run's logged requests and responses"],
      ]),
    )
    .action((flags: UsageFlags) => {
      const redact = envRedactor(io.env);
      const history = flags.history || flags.full ? (flags.full ? 'full' : 'compact') : undefined;
      const result = runUsage({
        // relative to the working directory, as for create, test and tune
        cachePathRoot: resolve(io.cwd, flags.cachePathRoot ?? DEFAULT_CACHE_ROOT),
        since: flags.since,
        run: flags.run,
        command: flags.command,
        model: flags.model,
        history,
        now: Date.now(),
      });
      setExit(0);
      if (!result.exists) {
        if (flags.json) io.stdout.write(`${JSON.stringify({ log: result.log, exists: false, filter: result.filter })}\n`);
        else writeLine(io.stdout, `No usage logged yet: ${displayPath(io.cwd, result.log)} does not exist (tune, test and create write it).`, redact);
        return;
      }
      if ('history' in result) {
        const out = { log: result.log, shape: result.shape, calls: result.calls, history: result.history };
        writeLine(io.stdout, flags.json ? JSON.stringify(out) : JSON.stringify(out, null, 2), redact);
        return;
      }
      if (flags.json) writeLine(io.stdout, JSON.stringify({ log: result.log, exists: true, filter: result.filter, ...result.report }), redact);
      else writeLine(io.stdout, renderUsageReport(displayPath(io.cwd, result.log), result.filter, result.report, colorsFor(io)), redact);
    });
}
