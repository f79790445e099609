import { armKey } from './arms.js';
import type { LiveTrial } from './trial-state.js';

/** Trials failing one after another that end a tune: past this, more trials only repeat the failure. */
export const FAILED_TRIALS_IN_A_ROW = 5;

/**
 * Watches trials as they settle and says when a tune should stop because its requests fail:
 * `FAILED_TRIALS_IN_A_ROW` failed trials in a row, or every arm's trials failing before any
 * trial succeeded. A failed request costs nothing, so without this a server that refuses every
 * request (an n it does not allow, a gateway out of budget) kept a tune proposing trials for
 * ever. A trial fails when most of its rows fail after retries (race.ts: settleRung).
 */
export class FailureWatch {
  private streak: LiveTrial[] = [];
  private succeeded = false;
  private readonly failedArms = new Set<string>();

  /** A trial finished a round: failed, or scored on its rows. */
  observe(t: LiveTrial): void {
    if (t.state === 'failed') {
      this.streak.push(t);
      this.failedArms.add(armKey(t.config));
    } else if (t.rung >= 0) {
      this.streak = [];
      this.succeeded = true;
    }
  }

  /** Why the tune must stop, with the server's message; undefined while it may go on. */
  verdict(armKeys: readonly string[]): string | undefined {
    const last = this.streak.at(-1);
    if (!last) return undefined;
    let why: string | undefined;
    if (this.streak.length >= FAILED_TRIALS_IN_A_ROW) why = `the last ${this.streak.length} trials failed`;
    else if (!this.succeeded && armKeys.length > 0 && armKeys.every((k) => this.failedArms.has(k))) {
      why = armKeys.length === 1 ? `every trial failed (${this.streak.length})` : `every arm's trials failed (${armKeys.length} arms, ${this.streak.length} trials)`;
    }
    return why ? `${why}; the last one: ${last.message ?? 'most of its rows failed'}` : undefined;
  }
}

/** Eval calls that must all have failed, with none scored, before a tune stops for its eval. */
export const EVAL_FAILURES_TO_STOP = 4;

/**
 * Why a tune must stop because its eval cannot score anything: every call on the answers bought
 * so far failed (threw, or returned no metrics), and there were enough of them to tell. More
 * answers would only be bought to fail the same way.
 */
export function evalVerdict(evals: { ok: number; failed: number; lastError?: string }): string | undefined {
  if (evals.ok > 0 || evals.failed < EVAL_FAILURES_TO_STOP) return undefined;
  return `the eval failed on every answer so far (${evals.failed} calls, none scored); the last: ${evals.lastError ?? 'no message'}`;
}

/** What to do about a tune stopped because its eval fails on every answer. */
export const EVAL_FAILURE_HINT = 'fix the eval (run it on one row and an answer by hand); the answers bought are in the cache, so the next run pays nothing for them';

/** What to do about a tune stopped by failures. */
export const FAILURE_HINT =
  'the endpoint refused the requests: read its message above (a model it does not serve, a parameter it rejects such as n, temperature or max_tokens, a gateway header or budget); fix config_list or search_space and run again (what was spent is kept in the log)';
