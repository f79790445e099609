import type { SearchSpace } from '../space/search-space.js';
import type { Config } from '../space/types.js';
import { isTokenLimitKey } from '../completion/token-limit.js';
import { cappedMaxTokens, type ArmInfo } from './arms.js';

/** Where in its range the cool variant puts the temperature (near 0: the model's surest answer). */
const COOL = 0.025;
/** The short variant's max_tokens, as a share of the arm's typical answer. */
const SHORT = 0.5;

/**
 * Two configs the first look around a leading config also tries, far from it along the two keys
 * that matter most and that local steps reach slowly:
 * - the same at a temperature near 0: often as good as voting over warm samples, for a fraction
 *   of the samples (the cheaper pick where samples would all agree);
 * - the same with its completion-token cap (max_tokens or max_completion_tokens) at half the
 *   arm's typical answer: where the part that is scored comes
 *   first (code before its explanation, a label before its reasons), the rest is paid for and
 *   thrown away, and the money saved buys more samples.
 * Either may lose; each costs one trial to find out. `config` is the searcher's (inside the space),
 * not as sent.
 */
export function lookVariants(space: SearchSpace, arm: ArmInfo | undefined, config: Config): Config[] {
  const out: Config[] = [];
  const point = space.encode(config);
  const dims = space.numericDims(point);
  const temperature = dims.find((d) => d.name === 'temperature');
  if (temperature && (point.unit[temperature.key] ?? 0) > COOL * 2) {
    out.push(space.decode({ choices: point.choices, unit: { ...point.unit, [temperature.key]: COOL } }));
  }
  const cap = dims.find((d) => isTokenLimitKey(d.name));
  const sent = cap ? config[cap.name] : undefined;
  if (cap && arm?.typicalTokens !== undefined && typeof sent === 'number') {
    const short = Math.max(1, Math.round(arm.typicalTokens * SHORT));
    const c = { ...config, [cap.name]: short };
    // shorter than what is sent (the probe caps the completion tokens), and allowed by the space
    if (short < cappedMaxTokens(arm, sent) && space.contains(c)) out.push(space.decode(space.encode(c)));
  }
  return out;
}
