import { ConfigError } from '../errors.js';
import type { TrialSummary } from '../tune/trial-summary.js';
import { isMeasured } from './pareto.js';

/**
 * Which measured trial a tune hands back. `best`: the tuner's own pick (the highest lower
 * confidence bound). `cheapest-within`: the cheapest trial whose metric is within `tolerance` of
 * the tuner's pick, measured on as many rows as it and within the inference budget.
 */
export type PickRule = { kind: 'best' } | { kind: 'cheapest-within'; tolerance: number };

const USAGE_HINT = 'e.g. --pick cheapest-within 0.01 (the cheapest config whose metric is within 0.01 of the best), or --pick best';

/**
 * Read `--pick` as given on the command line: `best`, `cheapest-within 0.01` (two words, or one:
 * `cheapest-within=0.01`).
 *
 * @example
 * parsePickRule(['cheapest-within', '0.01']); // { kind: 'cheapest-within', tolerance: 0.01 }
 */
export function parsePickRule(words: string | readonly string[]): PickRule {
  const tokens = (typeof words === 'string' ? [words] : [...words]).flatMap((w) => w.split(/[\s=:]+/)).filter((w) => w !== '');
  const [kind, value, ...rest] = tokens;
  if (kind === 'best' && value === undefined) return { kind: 'best' };
  if (kind === 'cheapest-within') {
    const tolerance = Number(value);
    if (value === undefined || !Number.isFinite(tolerance) || tolerance < 0) {
      throw new ConfigError(`cheapest-within takes a tolerance >= 0 (in units of the metric), got ${value === undefined ? 'none' : JSON.stringify(value)}`, { field: '--pick', hint: USAGE_HINT });
    }
    if (rest.length > 0) {
      throw new ConfigError(`takes a rule and its tolerance, got also ${rest.map((r) => JSON.stringify(r)).join(' ')}`, {
        field: '--pick',
        hint: `${USAGE_HINT}; give the config file before --pick, or write --pick=cheapest-within:0.01`,
      });
    }
    return { kind: 'cheapest-within', tolerance };
  }
  throw new ConfigError(`unknown rule ${JSON.stringify(tokens.join(' '))}`, { field: '--pick', hint: USAGE_HINT });
}

/** The rule in words, as the log and `--json` show it. */
export function describePickRule(rule: PickRule): string {
  return rule.kind === 'best' ? 'best' : `cheapest-within ${rule.tolerance}`;
}

/**
 * The trial a rule picks, given the tuner's pick `best` and every trial. Only trials measured
 * on at least as many rows as `best` compete (a metric on fewer rows is not comparable), within
 * the inference budget; the tuner's pick always does, so the answer is never worse off than it.
 * Ties on cost go to the better metric, then to the earlier trial.
 */
export function applyPickRule(rule: PickRule, opts: { best: TrialSummary; trials: readonly TrialSummary[]; mode: 'max' | 'min'; inferenceBudget?: number | undefined }): TrialSummary {
  const { best, mode } = opts;
  if (rule.kind === 'best' || !isMeasured(best)) return best;
  const sign = mode === 'min' ? -1 : 1;
  const floor = sign * best.metric - rule.tolerance;
  // the tuner's own summary of its pick stands for its trial (it may have settled on a smaller n)
  const pool = [best, ...opts.trials.filter((t) => t.trial !== best.trial)].filter(isMeasured);
  const fits = pool.filter((t) => t.rows >= best.rows && sign * t.metric >= floor - 1e-12 && (opts.inferenceBudget === undefined || t.inference_cost <= opts.inferenceBudget));
  fits.sort((a, b) => a.inference_cost - b.inference_cost || sign * (b.metric - a.metric) || a.trial - b.trial);
  return fits[0] ?? best;
}
