/** Things the engine reports while it works; the CLI renders them, the library ignores them. */
export type EngineEvent =
  | { type: 'retry'; configId: number; endpoint: string; kind: string; attempt: number; delayMs: number }
  | { type: 'failover'; configId: number; endpoint: string; kind: string; message: string }
  | { type: 'endpoint_down'; configId: number; endpoint: string; reason: string }
  | { type: 'unknown_price'; model: string }
  /** Opening the cache removed samples it must never serve (stored under an older key format). */
  | { type: 'cache_reset'; file: string; dropped: number; reason: string }
  /** An answer's usage was missing, not numbers, or contradicted by its choices: its cost is autotune's count (usage-check.ts). */
  | { type: 'usage_estimated'; configId: number; endpoint: string; model: string; problem: 'missing' | 'invalid' | 'contradicted'; detail: string; cost: number }
  /** The endpoint gives at most `limit` samples per request (learnt from `how`); the rest are drawn with more requests. */
  | { type: 'n_limit'; configId: number; endpoint: string; model: string; limit: number; asked: number; how: 'fewer_choices' | 'error'; message?: string };
