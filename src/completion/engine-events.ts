/** Things the engine reports while it works; the CLI renders them, the library ignores them. */
export type EngineEvent =
  | { type: 'retry'; configId: number; endpoint: string; kind: string; attempt: number; delayMs: number }
  | { type: 'failover'; configId: number; endpoint: string; kind: string; message: string }
  | { type: 'endpoint_down'; configId: number; endpoint: string; reason: string }
  | { type: 'unknown_price'; model: string };
