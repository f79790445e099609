import type { Reservation, SpendGuard } from './spend-guard.js';

/**
 * The optimization budget as a ledger. A request is sent only after its worst-case cost is
 * reserved; a reservation that would take spent + reserved past the budget waits while other
 * requests are in flight (their actual cost is usually far below their worst case, and frees
 * room), and is refused when nothing is in flight and it still does not fit. Once an answer
 * arrives its reservation is replaced by the actual cost. So the money spent can never pass the
 * budget, whatever runs concurrently. Cache hits never touch the ledger: only new spend counts
 * (the original counted cached answers as spent).
 */
export class BudgetLedger implements SpendGuard {
  private spentUsd = 0;
  private reservedUsd = 0;
  private holds = 0;
  private readonly waiters: Array<() => void> = [];
  /** Requests refused for lack of budget. */
  refusals = 0;

  /**
   * @param onChange called synchronously after every reservation (so before its request is
   *   sent) and every settlement, with what is spent and reserved: the tune log records it, so
   *   a run killed with requests in flight is still accounted for at their worst case.
   */
  constructor(
    readonly budgetUsd: number,
    private readonly onChange?: (state: { spent: number; reserved: number }) => void,
  ) {
    if (!(budgetUsd > 0) || !Number.isFinite(budgetUsd)) throw new RangeError(`budget must be a positive number of USD, got ${budgetUsd}`);
  }

  get spent(): number {
    return this.spentUsd;
  }

  get reserved(): number {
    return this.reservedUsd;
  }

  /** USD not yet spent or reserved. */
  get remaining(): number {
    return Math.max(0, this.budgetUsd - this.spentUsd - this.reservedUsd);
  }

  /** Count money an earlier run of the same tune already spent (resume). */
  preCharge(usd: number): void {
    this.spentUsd += Math.max(0, finite(usd, 'an earlier run\'s spend'));
  }

  /** Reserve now or never: null when it does not fit at this moment. */
  tryReserve(worstCaseUsd: number): Reservation | null {
    const amount = Math.max(0, finite(worstCaseUsd, 'a reservation'));
    if (this.spentUsd + this.reservedUsd + amount > this.budgetUsd) return null;
    this.reservedUsd += amount;
    this.holds++;
    this.onChange?.({ spent: this.spentUsd, reserved: this.reservedUsd });
    let settled = false;
    const settle = (actual: number): void => {
      if (settled) return;
      settled = true;
      this.holds--;
      this.reservedUsd = Math.max(0, this.reservedUsd - amount);
      if (this.holds === 0) this.reservedUsd = 0; // no float dust once nothing is held
      this.spentUsd += actual;
      this.onChange?.({ spent: this.spentUsd, reserved: this.reservedUsd });
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
