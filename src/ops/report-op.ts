import { existsSync, readFileSync } from 'node:fs';
import { endpointIdentity, resolveEndpoint } from '../completion/config-list.js';
import type { Env } from '../completion/env-refs.js';
import { runSettings } from '../config/request-config.js';
import { loadTuneConfig } from './tune-config.js';
import { defaultLogFile, tuneIdentity } from './tune-op.js';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { ConfigError, DatasetError } from '../errors.js';
import { renderReportHtml } from '../report/report-html.js';
import { readTestResults, type TestResultsData } from '../report/test-results-data.js';
import { readTuneLog, type TuneReportData } from '../report/tune-log-data.js';
import { writeOutputFile } from './output-file.js';

/** Inputs of `autotune report`. */
export interface ReportInput {
  /** A tune's trial log (JSONL), or its tune config (YAML): then the log that config's tune writes. */
  log?: string | undefined;
  /** With a tune config: its cache root (overrides cache_path_root:, as tune's flag does). */
  cachePathRoot?: string | undefined;
  /** With a tune config: the environment its endpoints are read from (they are part of the tune's identity). */
  env?: Env | undefined;
  /** Files written by `autotune test --results`. */
  results?: readonly string[] | undefined;
  /** Where the HTML goes: a file (written atomically), `-` for `stdout`. */
  output: string;
  stdout?: NodeJS.WritableStream | undefined;
  cwd: string;
}

/** What `runReport` wrote. */
export interface ReportOutcome {
  output: string;
  bytes: number;
  tune?: TuneReportData;
  tests: TestResultsData[];
}

/**
 * Write the report of a tune log (and test results) as one self-contained HTML file that opens
 * offline: Chart.js (from the installed `chart.js` package) and the page's script and data are
 * inlined. Reading is all-or-nothing: a log or results file that cannot be read is an error
 * naming it, and nothing is written.
 */
export async function runReport(input: ReportInput): Promise<ReportOutcome> {
  if (!input.log && (input.results ?? []).length === 0) {
    throw new ConfigError('nothing to report: give a trial log, --results files, or both', { field: 'log', hint: 'e.g. autotune report example-output/tune-log.jsonl -o report.html' });
  }
  const log = input.log && /\.ya?ml$/i.test(input.log) ? tuneLogOf(input.log, input) : input.log;
  const tune = log ? readTuneLog(readText(resolve(input.cwd, log), log), shown(input.cwd, log)) : undefined;
  const tests = (input.results ?? []).map((f) => readTestResults(readText(resolve(input.cwd, f), f), shown(input.cwd, f), tune?.metric));
  const html = renderReportHtml(tune, tests, chartLibrary());
  const target = input.output === '-' ? '-' : resolve(input.cwd, input.output);
  await writeOutputFile(target, html, { field: '--output', stdout: input.stdout, makeDirectory: true });
  return { output: input.output, bytes: Buffer.byteLength(html), ...(tune ? { tune } : {}), tests };
}

/** Chart.js's self-contained UMD build, as installed with autotune. */
function chartLibrary(): string {
  const require = createRequire(import.meta.url);
  // the package's exports map names only its module entries: the UMD build sits beside them
  return readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
}

/**
 * The trial log a tune config's runs write: its `log_file`, else the default one under its cache
 * root, named by the tune's identity (data, space, eval, seeds, cache root, endpoints: the same
 * as `autotune tune` works out).
 */
function tuneLogOf(configFile: string, input: ReportInput): string {
  const cfg = loadTuneConfig(resolve(input.cwd, configFile), { cache_path_root: input.cachePathRoot }, input.cwd);
  if (cfg.logFile) return cfg.logFile;
  const env = input.env ?? {};
  // the cache root and endpoints as tune resolves them (config/request-config.ts)
  const { configList, cachePathRoot } = runSettings({ env, cwd: input.cwd, cachePathRoot: cfg.cachePathRoot, configList: cfg.configList });
  const identity = tuneIdentity(cfg, { cachePathRoot, endpoints: configList.map((e, i) => endpointIdentity(resolveEndpoint(e, i, env))) });
  const file = defaultLogFile(cachePathRoot, identity);
  if (!existsSync(file)) {
    throw new DatasetError(`no trial log of this tune at ${file}`, { file: configFile, code: 'E_REPORT_READ', hint: 'run autotune tune with this config first (with the same cache root and endpoint), or give the log file itself' });
  }
  return file;
}

/** A path as the page shows it: relative to the working directory when inside it. */
function shown(cwd: string, path: string): string {
  const rel = relative(cwd, resolve(cwd, path));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function readText(path: string, shown: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DatasetError(code === 'ENOENT' ? 'no such file' : `cannot read it: ${(err as Error).message}`, { file: shown, code: 'E_REPORT_READ', cause: err });
  }
}
