import type { Reservation, SpendGuard } from '../completion/spend-guard.js';

/**
 * The optimization budget as a ledger. A request is sent only after its worst-case cost is
 * reserved; a reservation that would take spent + reserved past the budget is refused. Once
 * the answer arrives the reservation is replaced by the actual cost. So the money spent can
 * never pass the budget, whatever runs concurrently. Cache hits never touch the ledger: only
 * new spend counts (the original counted cached answers as spent).
 */
export class BudgetLedger implements SpendGuard {
  private spentUsd = 0;
  private reservedUsd = 0;
  /** Requests refused for lack of budget. */
  refusals = 0;

  constructor(readonly budgetUsd: number) {
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

  reserve(worstCaseUsd: number): Reservation | null {
    const amount = Math.max(0, worstCaseUsd);
    if (this.spentUsd + this.reservedUsd + amount > this.budgetUsd) {
      this.refusals++;
      return null;
    }
    this.reservedUsd += amount;
    let settled = false;
    const settle = (actual: number): void => {
      if (settled) return;
      settled = true;
      this.reservedUsd = Math.max(0, this.reservedUsd - amount);
      this.spentUsd += actual;
    };
    return { commit: (actual) => settle(Math.max(0, actual)), release: () => settle(0) };
  }
}
