import { DatasetError } from '../errors.js';
import type { TrialSummary } from '../tune/trial-summary.js';
import { paretoFront, type ParetoPoint } from './pareto.js';

/** What a report shows of one tune: its settings, its trials as they ended, its spend over time. */
export interface TuneReportData {
  /** The log file, as the user named it. */
  file: string;
  identity: string;
  startedAt: string;
  configFile?: string;
  /** The metric's name; undefined in logs written before it was logged. */
  metric?: string;
  mode: 'max' | 'min';
  inferenceBudget: number | null;
  optimizationBudget: number | null;
  /** Every trial, in trial order, as its last line in the log left it. */
  trials: TrialSummary[];
  /** The cumulative spend after each trial line, in log order. */
  spend: Array<{ trial: number; spent: number }>;
  pareto: ParetoPoint[];
  /** The trial the run saved (its end line's best_trial); null when it found none or never ended. */
  pick: number | null;
  /** From the end line; undefined when the run did not end (killed, or still running). */
  end?: { stopReason: string; spent: number; pickRule?: string; tunerBest?: number };
  /** Lines that were not JSON (a run killed mid-write), skipped. */
  skippedLines: number;
}

/**
 * Read a trial log (JSON Lines, see src/tune/tune-log.ts) into what a report shows: the last run
 * in it (from its last `start` line: a resumed run replays the trials of the runs before it),
 * each trial's last line, the spend, the Pareto front and the pick. A line torn by a crash is
 * skipped; a file with no start line is not a trial log (DatasetError naming the file).
 */
export function readTuneLog(text: string, file: string): TuneReportData {
  const entries: Array<Record<string, unknown> & { type?: unknown }> = [];
  let skippedLines = 0;
  let lastStart = -1;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      skippedLines++;
      continue;
    }
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      skippedLines++;
      continue;
    }
    const e = entry as Record<string, unknown>;
    if (e.type === 'start') lastStart = entries.length;
    entries.push(e);
  }
  const start = entries[lastStart];
  if (!start) {
    throw new DatasetError('not a trial log of autotune tune: it has no start line', {
      file,
      code: 'E_REPORT_LOG',
      hint: 'give the log_file of a tune (by default {cache_path_root}/tunes/IDENTITY.jsonl; tune --report writes the report at the end of a tune)',
    });
  }
  const identity = String(start.identity ?? '');
  const run = entries.slice(lastStart).filter((e) => e.identity === undefined || e.identity === identity);
  const byTrial = new Map<number, TrialSummary>();
  const spend: TuneReportData['spend'] = [];
  let end: TuneReportData['end'];
  let pick: number | null = null;
  for (const e of run) {
    if (e.type === 'trial' && typeof e.trial === 'number') {
      byTrial.set(e.trial, trialOf(e));
      if (typeof e.spent === 'number') spend.push({ trial: e.trial, spent: e.spent });
    } else if (e.type === 'end') {
      end = { stopReason: String(e.stop_reason ?? ''), spent: Number(e.spent ?? 0), ...(typeof e.pick === 'string' ? { pickRule: e.pick } : {}), ...(typeof e.tuner_best_trial === 'number' ? { tunerBest: e.tuner_best_trial } : {}) };
      pick = typeof e.best_trial === 'number' ? e.best_trial : null;
    }
  }
  // the log has no line for a trial the end of the search stopped mid-race: it is still
  // 'running' there, and 'stopped' (at the rows it had reached) in the tune's result
  const trials = [...byTrial.values()].map((t) => (end && t.state === 'running' ? { ...t, state: 'stopped' as const } : t)).sort((a, b) => a.trial - b.trial);
  const mode = start.mode === 'min' ? 'min' : 'max';
  return {
    file,
    identity,
    startedAt: String(start.time ?? ''),
    ...(typeof start.config_file === 'string' ? { configFile: start.config_file } : {}),
    ...(typeof start.metric === 'string' ? { metric: start.metric } : {}),
    mode,
    inferenceBudget: typeof start.inference_budget === 'number' ? start.inference_budget : null,
    optimizationBudget: typeof start.optimization_budget === 'number' ? start.optimization_budget : null,
    trials,
    spend,
    pareto: paretoFront(trials, mode),
    pick,
    ...(end ? { end } : {}),
    skippedLines,
  };
}

/** A trial line as a summary (the log's bookkeeping fields dropped). */
function trialOf(e: Record<string, unknown>): TrialSummary {
  const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return {
    trial: e.trial as number,
    state: String(e.state ?? 'running') as TrialSummary['state'],
    config: (e.config && typeof e.config === 'object' ? e.config : {}) as TrialSummary['config'],
    n_requested: num(e.n_requested) ?? 0,
    rows: num(e.rows) ?? 0,
    total_rows: num(e.total_rows) ?? 0,
    metric: num(e.metric),
    metrics: (e.metrics && typeof e.metrics === 'object' ? e.metrics : {}) as Record<string, number>,
    lcb: num(e.lcb),
    se: num(e.se),
    inference_cost: num(e.inference_cost),
    cost: num(e.cost) ?? 0,
    ...(typeof e.message === 'string' ? { message: e.message } : {}),
  };
}
