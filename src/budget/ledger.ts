import type { Reservation, SpendGuard } from './spend-guard.js';

/** The state of the books: USD spent, and reserved for requests in flight (their worst case). */
export interface LedgerState {
  spent: number;
  reserved: number;
}

/**
 * Where the books are kept. `save` is called synchronously after every reservation (so before
 * its request is sent) and every settlement: a tune passes its trial log, so a run killed with
 * requests in flight is still accounted for at their worst case, and a re-run resumes from what
 * the log holds.
 */
export interface LedgerStorage {
  save(state: LedgerState): void;
}

/** How a ledger starts. */
export interface LedgerOptions {
  /** USD earlier runs of the same tune spent (resume), counted against the budget. */
  carried?: number;
  storage?: LedgerStorage;
}

/**
 * The money of one run: the one source of truth for what is spent, reserved and planned.
 *
 * A request is sent only after its worst-case cost is reserved; a reservation that would take
 * spent + reserved past the budget waits while other requests are in flight (their actual cost
 * is usually far below their worst case, and frees room), and is refused when nothing is in
 * flight and it still does not fit. Once an answer arrives its reservation is replaced by the
 * actual cost. So the money spent can never pass the budget, whatever runs concurrently. Cache
 * hits never touch the spend: only new spend counts (the original counted cached answers as
 * spent). Without a budget (Infinity) nothing is refused, and the books are kept all the same.
 *
 * Beside the money paid, the ledger keeps the plan: the list price of everything the search has
 * consumed, cached or not (see `plan`).
 */
export class BudgetLedger implements SpendGuard {
  private spentUsd = 0;
  private reservedUsd = 0;
  private plannedUsd = 0;
  private holds = 0;
  private readonly waiters: Array<() => void> = [];
  private readonly storage: LedgerStorage | undefined;
  /** USD earlier runs spent (resume), included in `spent`. */
  readonly carried: number;
  /** Requests refused for lack of budget. */
  refusals = 0;

  constructor(
    readonly budgetUsd: number,
    options: LedgerOptions = {},
  ) {
    if (!(budgetUsd > 0)) throw new RangeError(`budget must be a positive number of USD, got ${budgetUsd}`);
    this.storage = options.storage;
    // an earlier run's spend past the budget counts as the budget: nothing more can be spent
    this.carried = Math.min(Math.max(0, finite(options.carried ?? 0, "an earlier run's spend")), budgetUsd);
    this.spentUsd = this.carried;
  }

  /** USD spent, earlier runs included. */
  get spent(): number {
    return this.spentUsd;
  }

  /** USD spent by this run. */
  get spentNow(): number {
    return this.spentUsd - this.carried;
  }

  get reserved(): number {
    return this.reservedUsd;
  }

  /** USD not yet spent or reserved. */
  get remaining(): number {
    return Math.max(0, this.budgetUsd - this.spentUsd - this.reservedUsd);
  }

  /**
   * List price of everything consumed so far, cached or not. A search plans with it (not with
   * what was paid), so its decisions are the same on a warm cache: a re-run replays the same
   * trials for $0, and a resumed run picks up where the first one stopped.
   */
  get planned(): number {
    return this.plannedUsd;
  }

  /** What the plan has left of the budget (Infinity without one). */
  get planLeft(): number {
    return this.budgetUsd - this.plannedUsd;
  }

  /** Count `usd` at list price as consumed by the search (see `planned`). */
  plan(usd: number): void {
    this.plannedUsd += Math.max(0, finite(usd, 'a planned cost'));
  }

  /** Reserve now or never: null when it does not fit at this moment. */
  tryReserve(worstCaseUsd: number): Reservation | null {
    const amount = Math.max(0, finite(worstCaseUsd, 'a reservation'));
    if (this.spentUsd + this.reservedUsd + amount > this.budgetUsd) return null;
    this.reservedUsd += amount;
    this.holds++;
    this.storage?.save({ spent: this.spentUsd, reserved: this.reservedUsd });
    let settled = false;
    const settle = (actual: number): void => {
      if (settled) return;
      settled = true;
      this.holds--;
      this.reservedUsd = Math.max(0, this.reservedUsd - amount);
      if (this.holds === 0) this.reservedUsd = 0; // no float dust once nothing is held
      this.spentUsd += actual;
      this.storage?.save({ spent: this.spentUsd, reserved: this.reservedUsd });
      for (const w of this.waiters.splice(0)) w();
    };
    // a cost that is not a number is refused before it touches the books: NaN would make every
    // later budget check pass (NaN > budget is false)
    const commit = (actual: number): void => {
      if (typeof actual !== 'number' || !Number.isFinite(actual)) {
        settle(amount); // charged at the worst case it reserved, then refused loudly
        finite(actual, "a request's cost");
      }
      settle(Math.max(0, actual));
    };
    return { commit, release: () => settle(0) };
  }

  async reserve(worstCaseUsd: number): Promise<Reservation | null> {
    finite(worstCaseUsd, 'a reservation');
    for (;;) {
      const r = this.tryReserve(worstCaseUsd);
      if (r) return r;
      if (this.holds === 0 || this.spentUsd + Math.max(0, worstCaseUsd) > this.budgetUsd) {
        this.refusals++;
        return null;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
}

/** The value, if it is a finite number; otherwise a RangeError: the ledger never holds NaN or ±Infinity. */
function finite(usd: number, what: string): number {
  if (typeof usd !== 'number' || !Number.isFinite(usd)) throw new RangeError(`the budget ledger refuses ${what} of ${String(usd)} USD: not a finite number`);
  return usd;
}
