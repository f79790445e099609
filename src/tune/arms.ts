import { notFoundOf } from '../completion/not-found.js';
import { BudgetError, CacheError, ConfigError } from '../errors.js';
import { canonicalJson } from '../util/canonical-json.js';
import { extractText } from '../completion/samples.js';
import { completionCap, withCompletionCap } from '../completion/token-limit.js';
import { costOf } from '../pricing/cost.js';
import type { Rng } from '../space/rng.js';
import type { SearchSpace } from '../space/search-space.js';
import type { Config } from '../space/types.js';
import { priceFor, type TuneRun } from './tune-run.js';

/** The keys that decide how long and how costly answers are: one "arm" per combination. */
const ARM_KEYS = ['model', 'prompt', 'messages', 'stop'] as const;

/** What the probe learnt about one arm (model × prompt/messages × stop). */
export interface ArmInfo {
  key: string;
  values: Record<string, unknown>;
  /** USD of the prompt of one request (mean over the probe rows, then over the arm's trials). */
  promptCost: number;
  /** USD of a typical sample (see {@link typicalSampleTokens}), then re-estimated from the arm's trials. */
  sampleCost: number;
  /** Tokens of a typical probe answer (see {@link typicalSampleTokens}); undefined when the probe got nothing. */
  typicalTokens?: number;
  /** Longest probe answer in tokens; undefined when the probe got nothing. */
  maxSampleTokens: number | undefined;
  /** A probe answer hit max_tokens, so answers can be longer than seen. */
  truncated: boolean;
  /** The probe answers' texts (to tell whether a stop sequence ever matters). */
  texts: string[];
  /** Within reach of the inference budget at the smallest n (with slack for probe noise). */
  feasible: boolean;
  reason?: string;
  /** The probe's requests failed (the server refused them, or never answered): reported, never silent. */
  failed?: true;
}

/** The identity of the arm a config belongs to. */
export function armKey(config: Config): string {
  return canonicalJson(Object.fromEntries(ARM_KEYS.map((k) => [k, config[k] ?? null])));
}

/**
 * Every arm of the space, each with one representative config drawn from `rng`. Hierarchical
 * spaces may exclude some combinations; those are skipped.
 */
export function enumerateArms(space: SearchSpace, rng: Rng): Config[] {
  const options = ARM_KEYS.map((k) => space.choicesOf(k) ?? [undefined]);
  const out: Config[] = [];
  const base = space.sample(rng);
  const combos = options.reduce<unknown[][]>((acc, opts) => acc.flatMap((prefix) => opts.map((o) => [...prefix, o])), [[]]);
  for (const combo of combos) {
    const config: Record<string, unknown> = { ...base };
    ARM_KEYS.forEach((k, i) => {
      if (combo[i] !== undefined) config[k] = combo[i];
    });
    if (space.contains(config)) out.push(Object.freeze(config));
  }
  return out;
}

/** Probe rows per arm: a couple, enough to see how long answers are. */
const PROBE_ROWS = 2;

/**
 * Probe cost before quality: one cheap request (n=1, max_tokens at its upper bound) per arm on
 * the first rows of the shared order. It shows how long that arm's answers are; an arm whose
 * single answer is already well over the per-instance budget is dropped for cents, and the
 * lengths bound max_tokens (and so the money reserved) for every later request of the arm.
 */
export async function probeArms(run: TuneRun, arms: readonly Config[], maxTokensOf: (c: Config) => number, nLowOf: (c: Config) => number, startOf: (c: Config) => Config = (c) => c): Promise<Map<string, ArmInfo>> {
  const rows = run.order.slice(0, PROBE_ROWS).map((i) => run.rows[i] as Record<string, unknown>);
  await checkModels(run, arms, rows[0] as Record<string, unknown>);
  const results = await Promise.all(
    arms.map(async (config): Promise<ArmInfo> => {
      const model = String(config.model);
      const price = priceFor(run, model);
      const key = armKey(config);
      const values = Object.fromEntries(ARM_KEYS.filter((k) => config[k] !== undefined).map((k) => [k, config[k]]));
      let promptCost = 0;
      const sampleTokens: number[] = [];
      let maxTokens: number | undefined;
      let truncated = false;
      const texts: string[] = [];
      // An answer longer than twice the per-instance budget rules the arm out anyway, so the probe
      // never needs (or reserves money for) more tokens than that.
      const budgetTokens = run.inferenceBudget !== undefined && price && price[1] > 0 ? Math.ceil((2 * run.inferenceBudget * 1000) / price[1]) : Infinity;
      // Probed where the arm's trials start (not at a random point of the space): an answer that
      // runs away at a high temperature would otherwise set the cost of the whole arm.
      const probeParams = withCompletionCap({ ...stripN(startOf(config)), n: 1 }, Math.max(1, Math.min(maxTokensOf(config), budgetTokens)));
      for (const row of rows) {
        try {
          const r = await run.engine.create({ params: probeParams as never, context: row, budget: run.ledger, signal: run.signal, allowFormatStrTemplate: run.allowFormatStrTemplate });
          run.ledger.plan(r.cost);
          const tokens = r.choice_tokens[0] ?? r.usage.completion_tokens;
          // the prompt as billed: its cached part (a shared few-shot prefix) at the cached-input price
          promptCost += price ? costOf({ prompt_tokens: r.usage.prompt_tokens, completion_tokens: 0, cached_tokens: r.usage.prompt_tokens_details?.cached_tokens ?? 0 }, price) / rows.length : 0;
          const cut = r.choices[0]?.finish_reason === 'length';
          sampleTokens.push(cut ? -tokens : tokens);
          maxTokens = Math.max(maxTokens ?? 0, tokens);
          texts.push(extractText(r)[0] ?? '');
          if (cut) truncated = true;
          run.emit({ type: 'row', trial: -1, cached: r.cached, spent: run.ledger.spent });
        } catch (err) {
          if (err instanceof BudgetError) return { key, values, promptCost: 0, sampleCost: 0, maxSampleTokens: undefined, truncated: false, texts: [], feasible: false, reason: 'not probed: the optimization budget could not cover it' };
          // bad input, an interrupt, or a cache that cannot be used: not a result of the probe
          if (err instanceof ConfigError || err instanceof CacheError) throw err;
          if ((err as Error).name === 'AbortedError') throw err;
          return { key, values, promptCost: 0, sampleCost: 0, maxSampleTokens: undefined, truncated: false, texts: [], feasible: false, failed: true, reason: `probe failed: ${(err as Error).message.split('\n').slice(0, 2).map((l) => l.trim()).join(' ')}` };
        }
      }
      const nLow = nLowOf(config);
      const typicalTokens = typicalSampleTokens(sampleTokens);
      const sampleCost = price ? (typicalTokens * price[1]) / 1000 : 0;
      const info: ArmInfo = { key, values, promptCost, sampleCost, typicalTokens, maxSampleTokens: maxTokens, truncated, texts, feasible: true };
      const minCost = promptCost + nLow * sampleCost;
      if (run.inferenceBudget !== undefined && minCost > run.inferenceBudget * 1.5) {
        info.feasible = false;
        info.reason = `one request at n=${nLow} costs about $${minCost.toPrecision(3)} per instance, over the inference budget $${run.inferenceBudget}`;
      }
      return info;
    }),
  );
  if (results.length > 0 && results.every((a) => a.reason?.startsWith('probe failed'))) {
    throw new ConfigError(`no endpoint answered a single probe request: ${results[0]?.reason ?? ''}`, {
      code: 'E_ENDPOINT_UNREACHABLE',
      field: 'config_list',
      hint: 'check base_url (and that the server is up), api_key and the model names',
    });
  }
  if (results.length > 0 && results.every((a) => a.reason?.startsWith('not probed'))) {
    throw new BudgetError('the optimization budget cannot cover even one probe request per arm', { hint: 'raise optimization_budget, or lower max_tokens in the search space' });
  }
  // never silent: an arm whose probe requests failed (a 400 with the server's message, say) is reported
  for (const a of results) if (a.failed && a.reason) run.emit({ type: 'arm_failed', arm: a.values, reason: a.reason });
  const byKey = new Map(results.map((a) => [a.key, a]));
  dropInertStops(byKey);
  return byKey;
}

/**
 * Before the probes are paid: one request of one token per model, so that a model the server
 * does not have (404 model_not_found) is an error naming it (exit 2) for a fraction of a cent,
 * not a dropped arm after the other arms' probes were bought. Any other failure is left to the
 * probe, which reports it in context.
 */
async function checkModels(run: TuneRun, arms: readonly Config[], row: Record<string, unknown>): Promise<void> {
  const byModel = new Map<string, Config>();
  for (const c of arms) if (!byModel.has(String(c.model))) byModel.set(String(c.model), c);
  const missing = await Promise.all(
    [...byModel].map(async ([model, config]) => {
      try {
        await run.engine.create({ params: withCompletionCap({ ...stripN(config), n: 1 }, 1) as never, context: row, budget: run.ledger, signal: run.signal, allowFormatStrTemplate: run.allowFormatStrTemplate });
        return undefined;
      } catch (err) {
        if (err instanceof ConfigError || (err as Error).name === 'AbortedError') throw err;
        return notFoundOf(err, model, 'search_space.model');
      }
    }),
  );
  const found = missing.filter((e) => e !== undefined);
  // every model 404: the URL is wrong, not the names
  const url = found.find((e) => e.code === 'E_CONFIG_URL');
  if (url) throw url;
  if (found[0]) throw found[0];
}

/**
 * The length of a typical answer of an arm from its probe samples (negative: cut off at
 * max_tokens). A cut-off answer says the answers can run long, not how long they usually are:
 * one runaway among a few samples would otherwise make every answer of the arm look costly, and
 * its trials would ask for too few samples. The cut-off ones count only when every sample was cut.
 */
export function typicalSampleTokens(samples: readonly number[]): number {
  const whole = samples.filter((t) => t >= 0);
  const pool = whole.length > 0 ? whole : samples.map((t) => -t);
  if (pool.length === 0) return 0;
  const sorted = [...pool].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * An arm whose stop sequence never occurs in the answers of the same arm without a stop gives
 * the same answers as that arm: trying both would pay twice for one thing. It is dropped.
 */
function dropInertStops(arms: Map<string, ArmInfo>): void {
  for (const arm of arms.values()) {
    const stop = arm.values.stop;
    if (!arm.feasible || stop === undefined || stop === null) continue;
    const sibling = arms.get(armKey({ ...arm.values, stop: null }));
    if (!sibling?.feasible || sibling.truncated || sibling.texts.length === 0) continue;
    const stops = Array.isArray(stop) ? stop.map(String) : [String(stop)];
    if (sibling.texts.every((t) => stops.every((s) => !t.includes(s)))) {
      arm.feasible = false;
      arm.reason = `its stop ${JSON.stringify(stop)} never occurs in the answers without it: the same as the arm without a stop`;
    }
  }
}

/** Room above the inference budget in the samples requested per row, so n can be trimmed back after the fact. */
export const SAMPLE_HEADROOM = 1.15;

/**
 * Samples to request per row for a config of this arm: slightly more than the inference budget
 * seems to allow (15% slack), so n can be trimmed back under budget after the fact; without an
 * inference budget, the config's own n.
 */
export function samplesToRequest(arm: ArmInfo | undefined, budget: number | undefined, range: { low: number; high: number }, ownN: number): number {
  if (budget === undefined || !arm) return Math.min(range.high, Math.max(range.low, ownN));
  if (arm.sampleCost <= 0) return range.high;
  const n = Math.floor((budget * SAMPLE_HEADROOM - arm.promptCost) / arm.sampleCost);
  return Math.min(range.high, Math.max(range.low, n));
}

/**
 * The max_tokens actually sent for an arm: the config's own, but no more than 2.5× the longest
 * probe answer (answers that end sooner are identical either way, and the cap bounds the money
 * reserved per request). Unchanged when the probe itself was truncated.
 */
export function cappedMaxTokens(arm: ArmInfo | undefined, requested: number): number {
  if (!arm || arm.truncated || arm.maxSampleTokens === undefined) return requested;
  return Math.min(requested, Math.max(16, Math.ceil(arm.maxSampleTokens * 2.5)));
}

/** A config as it is sent: its completion-token cap capped for its arm (see {@link cappedMaxTokens}). */
export function asSent(config: Config, arms: ReadonlyMap<string, ArmInfo>): Config {
  const cap = completionCap(config);
  return cap === undefined ? config : withCompletionCap(config, cappedMaxTokens(arms.get(armKey(config)), cap));
}

function stripN(config: Config): Record<string, unknown> {
  const { n: _n, ...rest } = config;
  return rest;
}

/**
 * Re-estimate each arm's prompt and per-sample cost from the rows its trials have been scored
 * on (the probe saw two rows; trials see many), so later trials of the arm request a number of
 * samples that matches what answers really cost.
 */
export function refineArms(arms: Map<string, ArmInfo>, trials: ReadonlyArray<{ arm: ArmInfo | undefined; plan: { record: { rowsDone: number; grid: readonly number[]; stats(rows: number): Array<{ costMean: number }> } } }>): void {
  const acc = new Map<string, { prompt: number; sample: number; weight: number }>();
  for (const t of trials) {
    const rows = t.plan.record.rowsDone;
    const grid = t.plan.record.grid;
    if (!t.arm || rows === 0 || grid.length === 0) continue;
    const stats = t.plan.record.stats(rows);
    const first = stats[0]?.costMean ?? 0;
    const lastCost = stats.at(-1)?.costMean ?? 0;
    // With one n only (a trial that asked for a single sample), the prompt's share is the probe's;
    // without this, an arm whose probe overestimated its answers would ask for one sample for ever.
    const sample = grid.length >= 2 ? (lastCost - first) / ((grid.at(-1) as number) - (grid[0] as number)) : (first - t.arm.promptCost) / (grid[0] as number);
    const prompt = grid.length >= 2 ? first - (grid[0] as number) * sample : t.arm.promptCost;
    const a = acc.get(t.arm.key) ?? { prompt: 0, sample: 0, weight: 0 };
    acc.set(t.arm.key, { prompt: a.prompt + prompt * rows, sample: a.sample + sample * rows, weight: a.weight + rows });
  }
  for (const [key, a] of acc) {
    const arm = arms.get(key);
    if (!arm || a.weight === 0) continue;
    arms.set(key, { ...arm, promptCost: Math.max(0, a.prompt / a.weight), sampleCost: Math.max(0, a.sample / a.weight) });
  }
}
