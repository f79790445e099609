/** A hold on money before a request is sent; settled once the cost is known. */
export interface Reservation {
  /** The request was paid: record the actual cost and free the hold. */
  commit(actualUsd: number): void;
  /** The request cost nothing (it failed before an answer): free the hold. */
  release(): void;
}

/**
 * Guards new spending. The engine reserves the worst-case cost of each request before sending
 * it; `reserve` resolves to null when that would pass the budget, and the engine then refuses
 * to send. See `BudgetLedger` for the implementation used by tune.
 */
export interface SpendGuard {
  reserve(worstCaseUsd: number): Promise<Reservation | null>;
}
