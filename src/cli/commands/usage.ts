import { runUsage } from '../../index.js';
import { defineCommand, flag } from '../command.js';
import { colorsFor, writeLine } from '../io.js';
import { renderUsageReport } from '../render/usage-report.js';
import { displayPath } from '../render/units.js';

/** `autotune usage`: what was spent and saved, per model, from `{cache-path-root}/usage.sqlite`. */
export const usageCommand = defineCommand({
  name: 'usage',
  description: 'requests, cache hits, tokens, USD paid and saved per model, and failures, from the usage log',
  flags: {
    cachePathRoot: flag.string('<dir>', 'cache root holding usage.sqlite (default .cache)'),
    since: flag.string('<when>', 'only rows since a date (2026-11-01), ISO time or duration back from now (30m, 2h, 7d)'),
    run: flag.string('<id>', 'only this run'),
    command: flag.string('<name>', 'only runs of this command', { choices: ['tune', 'test', 'create'] }),
    model: flag.string('<model>', 'only this model'),
    history: flag.switch('print the logged history (compact: one entry per conversation) instead of totals'),
    full: flag.switch('with --history: one {request, response} per call'),
    json: flag.switch('print one JSON object on stdout'),
  },
  examples: [
    ['autotune usage', 'spend and cache savings per model, all time'],
    ['autotune usage --since 2h --command tune', "the last two hours' tunes"],
    ['autotune usage --history --run <id> --json', "one run's logged requests and responses"],
  ],
  run: ({ flags, ctx }) => {
    const { io, redact } = ctx;
    const history = flags.history || flags.full ? (flags.full ? 'full' : 'compact') : undefined;
    const result = runUsage({
      // relative to the working directory, as for create, test and tune
      cachePathRoot: flags.cachePathRoot,
      cwd: io.cwd,
      since: flags.since,
      run: flags.run,
      command: flags.command,
      model: flags.model,
      history,
      now: Date.now(),
    });
    if (!result.exists) {
      if (flags.json) io.stdout.write(`${JSON.stringify({ log: result.log, exists: false, filter: result.filter })}\n`);
      else writeLine(io.stdout, `No usage logged yet: ${displayPath(io.cwd, result.log)} does not exist (tune, test and create write it).`, redact);
      return 0;
    }
    if ('history' in result) {
      const out = { log: result.log, shape: result.shape, calls: result.calls, history: result.history };
      writeLine(io.stdout, flags.json ? JSON.stringify(out) : JSON.stringify(out, null, 2), redact);
      return 0;
    }
    if (flags.json) writeLine(io.stdout, JSON.stringify({ log: result.log, exists: true, filter: result.filter, ...result.report }), redact);
    else writeLine(io.stdout, renderUsageReport(displayPath(io.cwd, result.log), result.filter, result.report, colorsFor(io)), redact);
    return 0;
  },
});
