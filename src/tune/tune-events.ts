/** Progress of a tune, for the CLI's progress bar and for library callers. */
export type TuneEvent =
  | { type: 'start'; rows: number; optimizationBudget: number | undefined; priorSpend: number }
  | { type: 'probe'; arms: number; feasible: number }
  /** An arm the probe could not use because its requests failed: why, with the server's message. */
  | { type: 'arm_failed'; arm: Record<string, unknown>; reason: string }
  /** Something the user should know before the run spends: what the space leaves out for a model, a discouraged setting. */
  | { type: 'notice'; message: string }
  | { type: 'round'; round: number; newTrials: number; promotions: number }
  | { type: 'row'; trial: number; cached: boolean; spent: number }
  /** The budget ledger changed (a request is about to be sent, or one was settled): USD spent, and reserved for the requests in flight (worst case). */
  | { type: 'spend'; spent: number; reserved: number }
  | { type: 'trial'; summary: import('./trial-summary.js').TrialSummary }
  | { type: 'best'; trial: number; score: number; metric: number; rows: number }
  | { type: 'stop'; reason: string }
  /** Before the first request, when the eval runs model-written code: the sandbox it uses. */
  | { type: 'sandbox'; sandbox: import('../evaluate/eval-types.js').EvalSandbox }
  /** Earlier runs of this tune spent `priorSpend` (from `log`, last written `lastTime`): it counts against the budget. */
  | { type: 'resume'; log: string; priorSpend: number; lastTime: string | undefined; defaultLog: boolean }
  /** The trial log's lock was left by a process of this host that no longer runs (killed with -9): taken over. */
  | { type: 'log_lock'; log: string; staleHolder: import('../store/log-lock.js').LockHolder }
  | { type: 'engine'; event: import('../completion/engine-events.js').EngineEvent };
