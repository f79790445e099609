import type { CompletionEngine } from '../completion/engine.js';
import type { EndpointConfig } from '../completion/types.js';
import type { EvalFunction } from '../evaluate/eval-types.js';
import { resolvePrice, type Price, type PriceTable } from '../pricing/price-table.js';
import { costOf } from '../pricing/cost.js';
import type { BudgetLedger } from '../budget/ledger.js';
import type { TuneEvent } from './tune-events.js';

/** Everything the tuner's parts share during one tune: built once by the tuner, read-only. */
export interface TuneRun {
  engine: CompletionEngine;
  /** The money: what is spent, reserved and planned (guards new spend against the optimization budget, if any). */
  ledger: BudgetLedger;
  /** Tuning rows, in file order. */
  rows: readonly Record<string, unknown>[];
  /** The shared row order (a seeded shuffle): every trial sees rows in this order. */
  order: readonly number[];
  evaluate: EvalFunction;
  metric: string;
  /** +1 for mode max, −1 for mode min. */
  sign: 1 | -1;
  inferenceBudget: number | undefined;
  prices: PriceTable;
  configList: readonly EndpointConfig[] | undefined;
  allowFormatStrTemplate: boolean;
  signal: AbortSignal | undefined;
  emit: (e: TuneEvent) => void;
  /** Eval calls on real answers so far: scored, and failed (with the last failure's message). */
  evals: EvalTally;
  /** Stop the run: aborts `signal` (requests queued and in flight). */
  halt?: () => void;
}

/** How the eval has fared on the answers bought (see `evalVerdict` in failure-watch.ts). */
export interface EvalTally {
  ok: number;
  failed: number;
  lastError?: string;
}

/**
 * The price tune uses for a model: the first config_list entry that sets a price and serves
 * this model (or any model), else the `prices:` map and the built-in table.
 */
export function priceFor(run: Pick<TuneRun, 'prices' | 'configList'>, model: string): Price | undefined {
  const entry = run.configList?.find((e) => Array.isArray(e.price) && (e.model === undefined || e.model === model));
  return resolvePrice(model, run.prices, entry?.price as Price | undefined)?.price;
}

/**
 * List-price cost of one request for the first n samples: the prompt once (its cached part at
 * the cached-input price) plus each sample.
 */
export function costOfPrefix(price: Price | undefined, promptTokens: number, choiceTokens: readonly number[], n: number, cachedTokens = 0): number {
  if (!price) return 0;
  let completion = 0;
  for (let i = 0; i < n && i < choiceTokens.length; i++) completion += choiceTokens[i] ?? 0;
  return costOf({ prompt_tokens: promptTokens, completion_tokens: completion, cached_tokens: cachedTokens }, price);
}
