import type { Command } from 'commander';
import { runReport, type ReportOutcome } from '../../index.js';
import { examples } from '../help.js';
import { envRedactor, writeLine, type CliIO } from '../io.js';
import { displayPath } from '../render/units.js';

interface ReportFlags {
  results: string[];
  output: string;
  cachePathRoot?: string;
  json?: boolean;
}

/** `autotune report LOG -o report.html`: one offline HTML page of a tune (and test runs). */
export function registerReport(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('report')
    .description('write one self-contained HTML page of a tune log (cost vs metric, Pareto front, trials) and of test --results files; opens offline')
    .argument('[log]', "a tune's trial log (its log_file; by default {cache_path_root}/tunes/IDENTITY.jsonl), or the tune's config (.yaml): the log its runs write")
    .option('--results <file>', 'a file written by autotune test --results (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--cache-path-root <dir>', 'with a tune config: its cache root, as given to tune')
    .option('-o, --output <file>', 'the HTML file to write (- for stdout)', 'report.html')
    .option('--json', 'print what was written as one JSON object on stdout')
    .addHelpText(
      'after',
      examples([
        ['autotune report example-output/tune-log.jsonl -o report.html', 'the tune of npm run example as a page'],
        ['autotune report tune.yaml -o report.html', "the tune of that config (its log_file, or the default log under the cache root)"],
        ['autotune report tune-log.jsonl --results results.jsonl -o report.html', 'with a test run of the pick: its metric, CI and failures'],
        ['autotune tune tune.yaml -o best.yaml --report report.html', 'the same, written at the end of a tune'],
      ]),
    )
    .action(async (log: string | undefined, flags: ReportFlags) => {
      const outcome = await runReport({ log, results: flags.results, output: flags.output, stdout: io.stdout, cwd: io.cwd, env: io.env, cachePathRoot: flags.cachePathRoot });
      if (flags.json) io.stdout.write(`${JSON.stringify(reportJson(outcome))}\n`);
      else if (outcome.output !== '-') writeLine(io.stderr, reportLine(io, outcome), envRedactor(io.env));
      setExit(0);
    });
}

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
