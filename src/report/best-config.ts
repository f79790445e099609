import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import { hasEnvRef } from '../completion/env-refs.js';
import type { EndpointConfig } from '../completion/types.js';
import type { TuneConfig } from '../ops/tune-config.js';
import type { TuneResult } from '../tune/tuner.js';
import { isSecretName } from '../util/redact.js';

/**
 * The best config as a file that `autotune test --config` and `autotune create --config` take as
 * is: request parameters at the top level, then eval, metric, mode, prices, config_list (secrets
 * stay `${VAR}` references; a literal key is left out, never written), the cache seed, and a
 * `tuning` section with what the tune measured.
 */
export function bestConfigDocument(cfg: TuneConfig, result: TuneResult, outFile: string): Record<string, unknown> {
  if (!result.config || !result.best) throw new Error('no best config to write');
  const doc: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(result.config)) {
    if (v === undefined || v === null) continue;
    doc[k === 'seed' ? 'request_seed' : k] = v;
  }
  doc.eval = relocate(cfg.eval, cfg.baseDir, dirname(resolve(outFile)));
  doc.metric = cfg.metric;
  doc.mode = cfg.mode;
  if (Object.keys(cfg.prices).length > 0) doc.prices = cfg.prices;
  if (cfg.configList) doc.config_list = cfg.configList.map(withoutLiteralSecrets);
  doc.seed = cfg.seed;
  doc.tuning = {
    [cfg.metric]: result.best.metric,
    metrics: result.best.metrics,
    inference_cost: result.best.inference_cost,
    lcb: result.best.lcb,
    rows: result.best.rows,
    total_rows: result.best.total_rows,
    trials: result.trials.length,
    optimization_cost: round(result.optimizationCost),
    total_spend: round(result.totalSpend),
    inference_budget: cfg.inferenceBudget ?? null,
    optimization_budget: cfg.optimizationBudget ?? null,
    search_seed: cfg.searchSeed,
    stop_reason: result.stopReason,
    data: cfg.data,
  };
  return doc;
}

/**
 * Where a pick measured on part of the data is saved instead of `output`: `NAME.partial.yaml`
 * beside it, so a complete pick already there is never replaced by a partial one.
 */
export function partialPath(output: string): string {
  if (output === '-') return output; // stdout: nothing there to replace
  const m = /^(.*?)(\.ya?ml)?$/i.exec(output) as RegExpExecArray;
  return `${m[1]}.partial.yaml`;
}


/** The text of a best-config file: the header comment, then the document as YAML. */
export function bestConfigText(doc: Record<string, unknown>, header = ''): string {
  return header + stringify(doc, { lineWidth: 0 });
}

/** A module path in the eval spec was relative to the tune file; make it relative to the output. */
function relocate(spec: unknown, fromDir: string, toDir: string): unknown {
  if (typeof spec !== 'string' || spec.startsWith('builtin:')) return spec;
  const abs = isAbsolute(spec) ? spec : resolve(fromDir, spec);
  const rel = relative(toDir, abs);
  return rel.startsWith('.') ? rel : `./${rel}`;
}

function withoutLiteralSecrets(entry: EndpointConfig): EndpointConfig {
  const out: EndpointConfig = { ...entry };
  if (typeof out.api_key === 'string' && !hasEnvRef(out.api_key)) delete out.api_key;
  if (out.headers) {
    out.headers = Object.fromEntries(Object.entries(out.headers).filter(([name, v]) => hasEnvRef(String(v)) || !isSecretName(name)));
  }
  return out;
}

function round(x: number): number {
  return Math.round(x * 1e8) / 1e8;
}
