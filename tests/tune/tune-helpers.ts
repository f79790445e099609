import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
