import { TOKEN_LIMIT_KEYS } from '../completion/token-limit.js';
import type { Config } from '../space/types.js';
import { armKey } from './arms.js';

/**
 * Request keys whose larger values never make answers cheaper: more randomness (longer, sometimes
 * runaway answers) or a higher cap on their length (max_tokens, or max_completion_tokens for
 * reasoning models).
 */
const COST_RAISING = ['temperature', 'top_p', ...TOKEN_LIMIT_KEYS] as const;

/**
 * Where in an arm the inference budget is known to be out of reach. A trial over the budget at
 * every n rules out the configs of its arm that are at least as costly on every cost-raising key
 * (as hot, as long) — not the whole arm: the same model and prompt at a lower temperature or a
 * smaller max_tokens may fit, and be the best config there is. Configs that the over-budget one
 * does not bound (another sampling branch, a lower value on some key) stay open.
 */
export class OverBudgetRegions {
  readonly #byArm = new Map<string, Config[]>();

  /** A config (as sent) whose cheapest n was over the inference budget. */
  add(config: Config): void {
    const key = armKey(config);
    this.#byArm.set(key, [...(this.#byArm.get(key) ?? []), config]);
  }

  /** The config (as sent) is at least as costly as one already over the budget. */
  covers(config: Config): boolean {
    return (this.#byArm.get(armKey(config)) ?? []).some((over) => atLeastAsCostly(config, over));
  }
}

function atLeastAsCostly(config: Config, over: Config): boolean {
  for (const k of COST_RAISING) {
    const a = config[k];
    const b = over[k];
    if (a === undefined && b === undefined) continue;
    if (typeof a !== 'number' || typeof b !== 'number' || a < b) return false;
  }
  return true;
}
