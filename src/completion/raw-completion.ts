/** The JSON an OpenAI-compatible server returns for a completion. */
export interface RawCompletion {
  id?: string;
  object?: string;
  created?: number;
  model?: string;
  choices: Array<Record<string, unknown>>;
  /** As the server sent it: may be missing or hold anything (see usage-check.ts). */
  usage?: unknown;
}
