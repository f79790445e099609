import type { RequestConfigInput } from '../config/request-config.js';
import type { EngineEvent } from '../completion/engine-events.js';
import type { CalledFunction } from '../completion/samples.js';
import type { SpendGuard } from '../budget/spend-guard.js';
import type { RunOptions } from '../context.js';
import type { AggregationMethod } from '../evaluate/aggregators.js';
import type { ConfidenceInterval } from '../evaluate/bootstrap.js';
import type { EvalFunction, EvalResult, EvalSandbox, EvalSpec } from '../evaluate/eval-types.js';

/*
 * The types of `autotune test`'s library call: what it takes, what it reports, what it emits.
 * They live apart from test-op.ts so that the files it is made of (test-setup.ts,
 * test-instance.ts) can name them without importing the run itself.
 */

/** What happened to one data row: its responses, its metrics, and what they cost. */
export interface InstanceResult {
  /** 0-based position in the data (after blank lines are skipped). */
  index: number;
  /** 1-based line of the row in the data file. */
  line: number;
  row: Record<string, unknown>;
  /** The text of each choice (function calls as objects); empty when the request failed. */
  responses: Array<string | CalledFunction>;
  /** This instance's metrics; null when the request or the eval failed. */
  metrics: EvalResult | null;
  /** USD the response is worth at list price (what production pays), cached or not. */
  cost: number;
  /** USD spent on it by this run (0 when served from the cache). */
  paid: number;
  /** Every choice came from the cache. */
  cached: boolean;
  /** Why the instance failed, when it did. */
  error?: string;
}

/** A failed instance, as listed in the report. */
export interface InstanceFailure {
  index: number;
  line: number;
  /** `request`: every endpoint failed after retries; `eval`: the eval threw or returned non-numbers. */
  kind: 'request' | 'eval';
  message: string;
}

/**
 * Inputs of `autotune test` (the original's `Completion.test(data, eval_func, use_cache, agg_method, …, **config)`):
 * the request config (a config file, e.g. the best config saved by tune, and what overrides
 * it: see RequestConfigInput; `concurrency` defaults to the config's, else 8), the data, the
 * eval and aggregation, and how to run.
 */
export interface TestInput extends Omit<RequestConfigInput, 'prices' | 'retry'> {
  /** A JSONL (or JSON array) file, or rows in memory. */
  data: string | readonly Record<string, unknown>[];
  /** Overrides the config's `eval`: a module path, `builtin:NAME`, `{builtin, …options}` or a function. */
  eval?: EvalSpec | EvalFunction | undefined;
  /** Overrides the config's `agg_method`: a name or module path (resolved against cwd), or a method. Default avg. */
  agg?: string | AggregationMethod | undefined;
  /** Read the cache (default true); false re-requests every row (answers are still stored). */
  useCache?: boolean | undefined;
  /** Test the first `limit` rows only. */
  limit?: number | undefined;
  /**
   * Write one JSON line per instance here: a regular file atomically (temp file + rename), a
   * device or FIFO in place, `-` to `stdout` (see OutputFile).
   */
  resultsFile?: string | undefined;
  /** Where `resultsFile: '-'` writes (the CLI passes its standard output). */
  stdout?: NodeJS.WritableStream | undefined;
  /** Keep every InstanceResult in memory and return it (the original's return_responses_and_per_instance_result): small data only. */
  returnResults?: boolean | undefined;
  /** Bootstrap confidence intervals (default seed 0, 1000 resamples, 95%); false: none. */
  ci?: { seed?: number | string; resamples?: number; confidence?: number } | false | undefined;
  /** Guard new spending (e.g. a BudgetLedger); the run stops cleanly when it refuses a request. */
  budget?: SpendGuard | undefined;
  signal?: AbortSignal | undefined;
  onEvent?: ((e: TestEvent) => void) | undefined;
  /** Run options; `prices` and `retry` here override the config file's. */
  run?: Omit<RunOptions, 'env' | 'seed' | 'cachePathRoot' | 'onEvent' | 'configList' | 'concurrency'> | undefined;
}

/** Progress reports of a test run; the CLI draws them, the library emits and forgets. */
export type TestEvent =
  | { type: 'start'; total: number; data: string }
  | { type: 'progress'; done: number; total: number; failed: number; cached: number; paid: number; listCost: number }
  | { type: 'instance_failed'; failure: InstanceFailure }
  /** Before the first request, when the eval runs model-written code: the sandbox it uses. */
  | { type: 'sandbox'; sandbox: EvalSandbox }
  | { type: 'engine'; event: EngineEvent };

/** What a test run found. */
export interface TestReport {
  /** Aggregated metrics, plus `inference_cost`: mean USD per instance at list price. */
  metrics: Record<string, number>;
  /** A bootstrap confidence interval per aggregated eval metric (not inference_cost). */
  ci: Record<string, ConfidenceInterval>;
  /** Instances run (failed ones included). */
  instances: number;
  /** Rows in the data (after `limit`). Larger than `instances` when the run stopped early. */
  total: number;
  failed: number;
  /** The first 100 failures, in input order. */
  failures: InstanceFailure[];
  /** USD spent by this run (new, uncached requests). */
  cost: number;
  /** Of `cost`, USD counted by autotune because a server's usage could not be trusted. */
  estimatedCost?: number;
  /** USD all responses are worth at list price. */
  listCost: number;
  /** Instances served entirely from the cache. */
  cached: number;
  /** The config's optimization metric and mode, when it names them. */
  metric?: string;
  mode?: 'max' | 'min';
  /** Set when the run stopped before the end: interrupted, or the budget refused a request. */
  stopped?: 'aborted' | 'budget';
  /** The sandbox the eval ran model-written code in (`builtin:code`). */
  sandbox?: EvalSandbox;
  resultsFile?: string;
  results?: InstanceResult[];
}
