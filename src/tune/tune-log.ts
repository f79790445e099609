import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TrialSummary } from './trial-summary.js';

/** One line of the trial log. `spent` is the tune's cumulative new spend (resumed runs included). */
export type TuneLogEntry =
  | { type: 'start'; identity: string; time: string; optimization_budget: number | null; prior_spend: number; config_file?: string }
  | ({ type: 'trial'; identity: string; time: string; spent: number } & TrialSummary)
  | { type: 'spend'; identity: string; time: string; spent: number }
  | { type: 'end'; identity: string; time: string; spent: number; stop_reason: string; best_trial: number | null; trials: number };

/**
 * The trial log: JSON Lines, one whole line per write (appended with O_APPEND, so a killed run
 * leaves only whole lines, and at worst a torn last line that readers skip). It also carries the
 * running spend, so a re-run of the same tune (same identity) counts what earlier runs paid
 * against the optimization budget and resumes at no new cost for what is cached.
 */
export class TuneLog {
  constructor(
    readonly file: string,
    readonly identity: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    mkdirSync(dirname(file), { recursive: true });
  }

  write(entry: Record<string, unknown> & { type: TuneLogEntry['type'] }): void {
    const line = `${JSON.stringify({ ...entry, identity: this.identity, time: this.now().toISOString() })}\n`;
    appendFileSync(this.file, line, { flag: 'a' });
  }

  trial(summary: TrialSummary, spent: number): void {
    this.write({ type: 'trial', ...summary, spent });
  }
}

/** What earlier runs of the tune with this identity spent (0 when none). Torn lines are skipped. */
export function priorSpend(file: string | undefined, identity: string): number {
  if (!file || !existsSync(file)) return 0;
  let spent = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    let entry: { identity?: unknown; spent?: unknown; prior_spend?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue; // a line torn by a crash
    }
    if (entry.identity !== identity) continue;
    for (const v of [entry.spent, entry.prior_spend]) if (typeof v === 'number' && v > spent) spent = v;
  }
  return spent;
}
