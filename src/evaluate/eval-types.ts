/**
 * Shared types of the evaluation library: what an eval function receives and returns, how an
 * eval is named in a config, and the outcome of running one safely.
 */

/**
 * Metrics one eval produced for one instance (row). Values are plain finite numbers; booleans
 * returned by user evals are converted to 0/1 by {@link runEval}, anything else is reported.
 *
 * @example
 * const metrics: EvalResult = { success: 1, expected_success: 0.75 };
 */
export type EvalResult = Record<string, number>;

/**
 * A function scoring the `n` responses produced for one data row. Responses are always strings
 * (function-call objects are JSON-stringified before the call); the row is the raw dataset record.
 *
 * @example
 * const evaluate: EvalFunction = (responses, row) => ({
 *   success: responses.some((r) => r.trim() === String(row['answer'])) ? 1 : 0,
 * });
 */
export type EvalFunction = ((
  responses: string[],
  row: Record<string, unknown>,
) => EvalResult | Promise<EvalResult>) & {
  /** Set by evals that run model-written code (`builtin:code`): the sandbox they run it in. */
  readonly sandbox?: EvalSandbox;
  /** Set by built-in evals: the row fields they read, checked against the data before a cent is spent. */
  readonly rowFields?: readonly EvalRowField[];
};

/** A row field an eval reads, and the eval option that names it (e.g. `answer`, option `field`). */
export interface EvalRowField {
  field: string;
  option: string;
  /** The built-in eval's name, e.g. `answer_vote`. */
  eval: string;
}

/**
 * The sandbox an eval runs programs in, for the start of a run and its log.
 *
 * @example
 * const s: EvalSandbox = { level: 'namespace', description: 'namespace (own PID, mount, … namespaces; …)' };
 */
export interface EvalSandbox {
  /** `namespace`, or `unsafe-prelude` when the config asked for it. */
  level: string;
  /** One line: the level and what it limits. */
  description: string;
}

/**
 * How a config names its eval: a module path (`./eval.mjs`, `.js`, `.cjs`), `builtin:NAME`, or
 * `{ builtin: NAME, ...options }`.
 */
export type EvalSpec = string | { builtin: string; [option: string]: unknown };

/** Result of {@link runEval}: metrics, or a message that names the failing instance. */
export type EvalOutcome =
  | { ok: true; metrics: EvalResult }
  /** `nonNumeric`: the metrics the eval returned as something other than a number (a string, null, …; not NaN). */
  | { ok: false; error: string; nonNumeric?: string[] };
