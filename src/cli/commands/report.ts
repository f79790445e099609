import { runReport, type ReportOutcome } from '../../index.js';
import { defineCommand, flag } from '../command.js';
import { writeLine, type CliIO } from '../io.js';
import { displayPath } from '../render/units.js';

/** `autotune report LOG -o report.html`: one offline HTML page of a tune (and test runs). */
export const reportCommand = defineCommand({
  name: 'report',
  description: 'write one self-contained HTML page of a tune log (cost vs metric, Pareto front, trials) and of test --results files; opens offline',
  args: [{ name: 'log', help: "a tune's trial log (its log_file; by default {cache_path_root}/tunes/IDENTITY.jsonl), or the tune's config (.yaml): the log its runs write" }],
  flags: {
    results: flag.parsedWithDefault('<file>', 'a file written by autotune test --results (repeatable)', (v: string, acc: string[] | undefined) => [...(acc ?? []), v], [] as string[]),
    cachePathRoot: flag.string('<dir>', 'with a tune config: its cache root, as given to tune'),
    output: flag.stringWithDefault('<file>', 'the HTML file to write (- for stdout)', 'report.html', { short: 'o' }),
    json: flag.switch('print what was written as one JSON object on stdout'),
  },
  examples: [
    ['autotune report example-output/tune-log.jsonl -o report.html', 'the tune of npm run example as a page'],
    ['autotune report tune.yaml -o report.html', "the tune of that config (its log_file, or the default log under the cache root)"],
    ['autotune report tune-log.jsonl --results results.jsonl -o report.html', 'with a test run of the pick: its metric, CI and failures'],
    ['autotune tune tune.yaml -o best.yaml --report report.html', 'the same, written at the end of a tune'],
  ],
  run: async ({ flags, args, ctx }) => {
    const { io } = ctx;
    const outcome = await runReport({ log: args[0] as string | undefined, results: flags.results, output: flags.output, stdout: io.stdout, cwd: io.cwd, env: io.env, cachePathRoot: flags.cachePathRoot });
    if (flags.json) io.stdout.write(`${JSON.stringify(reportJson(outcome))}\n`);
    else if (outcome.output !== '-') writeLine(io.stderr, reportLine(io, outcome), ctx.redact);
    return 0;
  },
});

/** The line saying where the report went (stderr: stdout carries results only). */
export function reportLine(io: CliIO, o: ReportOutcome): string {
  const what = [o.tune ? `${o.tune.trials.length} trials, ${o.tune.pareto.length} on the Pareto front` : '', o.tests.length > 0 ? `${o.tests.length} test runs` : ''].filter(Boolean).join('; ');
  return `report written to ${displayPath(io.cwd, o.output)} (${what}; ${Math.round(o.bytes / 1024)} KiB, opens offline)`;
}

function reportJson(o: ReportOutcome): Record<string, unknown> {
  return {
    output: o.output,
    bytes: o.bytes,
    ...(o.tune ? { trials: o.tune.trials.length, pareto: o.tune.pareto.map((p) => p.trial), pick: o.tune.pick } : {}),
    tests: o.tests.map((t) => ({ file: t.file, metric: t.metric, estimate: t.estimate, ci: [t.ci.low, t.ci.high], instances: t.instances, failed: t.failed })),
  };
}
