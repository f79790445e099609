import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nGrid } from '../../src/tune/n-choice.js';
import { TrialRecord } from '../../src/tune/trial-record.js';
import type { LiveTrial } from '../../src/tune/trial-state.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TUNE_DATA = join(ROOT, 'fixtures/data/arith/tune.jsonl');
export const TEST_DATA = join(ROOT, 'fixtures/data/arith/test.jsonl');

/** The example space as a YAML block, with a budget and paths pointing into the repo. */
export function tuneYaml(extra: Record<string, string> = {}, space?: string): string {
  const base: Record<string, string> = {
    data: JSON.stringify(TUNE_DATA),
    eval: 'builtin:answer_vote',
    metric: 'success_vote',
    mode: 'max',
    inference_budget: '0.002',
    optimization_budget: '0.4',
    search_seed: '0',
    concurrency: '8',
    prices: '{gpt-3.5-turbo: [0.0015, 0.002], gpt-4: [0.03, 0.06]}',
    ...extra,
  };
  const lines = Object.entries(base).filter(([, v]) => v !== '').map(([k, v]) => `${k}: ${v}`);
  return [
    ...lines,
    space ??
      [
        'search_space:',
        '  model: [gpt-3.5-turbo, gpt-4]',
        '  prompt: ["{problem} Answer with just the number.", "{problem} Let\'s think step by step."]',
        '  temperature_or_top_p: [{temperature: {uniform: [0, 2]}}, {top_p: {uniform: [0, 1]}}]',
        '  max_tokens: {lograndint: [50, 1000]}',
        '  n: {randint: [1, 20]}',
        '  stop: [null, "\\n\\n"]',
      ].join('\n'),
    '',
  ].join('\n');
}

export function writeTuneConfig(dir: string, text: string, name = 'tune.yaml'): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** Lines of a JSONL file. */
export function readJsonl(file: string): Array<Record<string, unknown>> {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The rungs of the 60 tuning rows. */
export const SIZES = [6, 12, 24, 60];

/**
 * A trial that has been scored on `rows` rows: `right` says which rows it got right; a request
 * for n samples costs `prompt + n × sample` (plus `jitter(row)`) on every row.
 */
export function liveTrial(id: number, opts: { rung: number; score: number; nRequested?: number; sample?: number; prompt?: number; jitter?: (row: number) => number; right?: (row: number) => boolean }): LiveTrial {
  const nRequested = opts.nRequested ?? 7;
  const record = new TrialRecord(nGrid(nRequested), 'ok', 1);
  const rows = opts.rung >= 0 ? (SIZES[opts.rung] as number) : 0;
  for (let r = 0; r < rows; r++) {
    const cost = record.grid.map((n) => (opts.prompt ?? 0.0001) + n * (opts.sample ?? 0.00027) + (opts.jitter?.(r) ?? 0));
    const ok = opts.right?.(r) ?? true;
    record.set(r, { metrics: record.grid.map(() => ({ ok: ok ? 1 : 0 })), cost, cached: false });
  }
  const scores = SIZES.slice(0, opts.rung + 1).map(() => opts.score);
  return {
    id,
    plan: { id, params: {}, nRequested, price: undefined, record },
    arm: undefined,
    config: {},
    rung: opts.rung,
    scores,
    state: 'running',
    paid: 0,
    choice: { index: 5, n: 6, mean: opts.score, se: 0.05, lcb: opts.score, costMean: 0.0017, feasible: true },
  };
}
