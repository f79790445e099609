import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { run } from '../../src/cli/main.js';
import { capabilitiesOf, refusal } from '../../src/completion/model-capabilities.js';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { captureIO } from '../helpers/cli.js';
import { readJsonl } from './tune-helpers.js';

const server = useFixtureServer({ apiKeys: [FIXTURE_KEY] });
const tmp = useTempDir('autotune-reasoning-');
const EXAMPLE = fileURLToPath(new URL('../../fixtures/tasks/reasoning/tune.yaml', import.meta.url));
const DATA = fileURLToPath(new URL('../../fixtures/data/arith/tune.jsonl', import.meta.url));
const PROBLEM = 'A baker makes 7 trays of 20 rolls and sells 90 of them. How many rolls are left?';

beforeEach(() => server().resetStats());

function cli() {
  return captureIO(fixtureEnv(server(), { NO_COLOR: '1' }), tmp());
}

/** The README's example config, with paths made absolute and the budget of a test. */
function exampleConfig(changes: Record<string, unknown> = {}): string {
  const doc = parse(readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown>;
  const file = join(tmp(), 'tune.yaml');
  writeFileSync(file, stringify({ ...doc, data: DATA, log_file: 'log.jsonl', optimization_budget: 0.2, ...changes }));
  return file;
}

describe('tuning legacy and reasoning models in one space', () => {
  it('runs the README example with no 400, samples only what each model takes, and its pick works with create', async () => {
    const c = cli();
    const code = await run(['tune', exampleConfig(), '--output', 'best.yaml', '--json'], c.io);
    expect(code).toBe(0);
    const stats = server().stats();
    expect(stats.errors.bad_request).toBe(0);
    expect(stats.errors.not_found).toBe(0);
    expect(stats.cost).toBeLessThanOrEqual(0.2);
    expect(stats.reasoning_tokens).toBeGreaterThan(0);
    const report = JSON.parse(c.out()) as { best_config: Record<string, unknown>; optimization_cost: number };
    expect(report.optimization_cost).toBeCloseTo(stats.cost, 10);
    // what each model was sampled with, from the trial log
    const trials = readJsonl(join(tmp(), 'log.jsonl')).filter((l) => l.type === 'trial') as Array<{ config: Record<string, unknown> }>;
    const models = new Set(trials.map((t) => t.config.model));
    expect(models.size).toBeGreaterThan(1);
    for (const { config } of trials) {
      const caps = capabilitiesOf(String(config.model))!;
      for (const key of ['temperature', 'top_p', 'reasoning_effort', 'stop']) expect(refusal(caps, key, config[key])).toBeUndefined();
      if (config.model === 'gpt-4o-mini') expect(config).not.toHaveProperty('reasoning_effort');
      else expect(config).not.toHaveProperty('temperature');
    }
    // said on stderr, not silent
    expect(c.err()).toContain('note: o4-mini: reasoning_effort "minimal" not sampled');
    expect(c.err()).toContain('max_tokens is sent as max_completion_tokens');
    // the pick is accepted as is
    server().resetStats();
    const made = cli();
    expect(await run(['create', '--config', 'best.yaml', '--var', `problem=${PROBLEM}`, '--no-cache', '--json'], made.io)).toBe(0);
    expect(server().stats().ok).toBe(1);
  });

  it('a parameter the model cannot take is exit 2 before any request, naming the key and the model', async () => {
    const c = cli();
    const file = exampleConfig({ search_space: { model: 'o4-mini', temperature: 0.7, prompt: '{problem}' } });
    expect(await run(['tune', file], c.io)).toBe(2);
    expect(c.err()).toMatch(/temperature/);
    expect(c.err()).toMatch(/o4-mini/);
    expect(server().stats().requests).toBe(0);
    const effort = cli();
    const none = exampleConfig({ search_space: { model: ['gpt-4o-mini', 'gpt-4.1-mini'], reasoning_effort: ['low', 'high'], prompt: '{problem}' } });
    expect(await run(['tune', none], effort.io)).toBe(2);
    expect(effort.err()).toMatch(/reasoning_effort/);
    expect(server().stats().requests).toBe(0);
  });

  it('a 400 during a tune is reported with the server\'s message: on stderr, in the log and in the output', async () => {
    // a model_capabilities entry that is wrong about o4-mini: the server refuses its temperatures
    const c = cli();
    const file = exampleConfig({
      model_capabilities: { 'o4-mini': { temperature: true, top_p: true } },
      search_space: { model: ['gpt-4o-mini', 'o4-mini'], prompt: '{problem} Answer with just the number.', temperature: 0.5, max_tokens: 2000, n: 1 },
    });
    const code = await run(['tune', file, '--json'], c.io);
    expect(code).toBe(0);
    const message = "Unsupported value: 'temperature' does not support 0.5 with this model. Only the default (1) value is supported.";
    expect(c.err()).toContain(message);
    expect(c.err()).toMatch(/warning: arm .*o4-mini.* dropped/);
    const report = JSON.parse(c.out()) as { dropped_arms: Array<{ arm: Record<string, unknown>; reason: string }> };
    expect(report.dropped_arms.find((d) => d.arm.model === 'o4-mini')?.reason).toContain(message);
    const log = readJsonl(join(tmp(), 'log.jsonl'));
    expect(log.find((l) => l.type === 'arm_failed')).toMatchObject({ arm: { model: 'o4-mini' } });
    expect(String(log.find((l) => l.type === 'arm_failed')?.reason)).toContain(message);
  });

  it('counts and reports per trial the answers whose reasoning ate the whole cap', async () => {
    const c = cli();
    const file = exampleConfig({ search_space: { model: 'gpt-5-mini', reasoning_effort: 'high', prompt: '{problem}', max_tokens: { randint: [60, 80] }, n: 2 }, optimization_budget: 0.02 });
    await run(['tune', file], c.io);
    expect(c.err()).toMatch(/warning: trial #\d+: \d+ of \d+ answers empty, cut off by the cap/);
    expect(c.out()).toMatch(/empty/);
    const trials = readJsonl(join(tmp(), 'log.jsonl')).filter((l) => l.type === 'trial') as Array<{ empty_answers?: { answers: number; samples: number } }>;
    expect(trials.length).toBeGreaterThan(0);
    for (const t of trials) expect(t.empty_answers?.answers).toBeGreaterThan(0);
  });

  it('a misspelled model is not priced as its family: the no-price error before any request', async () => {
    for (const model of ['gpt-4o-mini-typo', 'constructor']) {
      const c = cli();
      const file = exampleConfig({ search_space: { model: ['gpt-4o-mini', model], prompt: '{problem}' } });
      expect(await run(['tune', file], c.io)).toBe(2);
      expect(c.err()).toContain(model);
      expect(c.err()).toMatch(/price/);
    }
    expect(server().stats().requests).toBe(0);
  });

  it('a long few-shot prompt is priced as billed, its cached prefix at the cached-input price: a config that fits only so is found', async () => {
    const fewShot = Array.from({ length: 160 }, (_, i) => `Example ${i}: ${i + 3} boxes of ${i + 2} apples make ${(i + 3) * (i + 2)} apples.`).join('\n');
    const c = cli();
    // ~1,970 prompt tokens: $0.000295 a row at gpt-4o-mini's list price, $0.000152 once 1,920 of them are cached
    const file = exampleConfig({
      inference_budget: 0.0002,
      optimization_budget: 0.05,
      search_space: { model: 'gpt-4o-mini', messages: { const: [{ role: 'system', content: fewShot }, { role: 'user', content: '{problem} Answer with just the number.' }] }, temperature: 0, max_tokens: 50, n: 1 },
    });
    expect(await run(['tune', file, '--json'], c.io)).toBe(0);
    const report = JSON.parse(c.out()) as { best_result: { inference_cost: number } | null; optimization_cost: number };
    const stats = server().stats();
    expect(stats.cached_tokens).toBeGreaterThan(0);
    expect(report.best_result?.inference_cost).toBeLessThanOrEqual(0.0002);
    expect(report.optimization_cost).toBeCloseTo(stats.cost, 10);
  });

  it('a hierarchical model space is conditioned per option; a key written in a model\'s own option that it cannot take is exit 2', async () => {
    const bad = cli();
    const refused = exampleConfig({ search_space: { model: [{ model: 'gpt-4o-mini', temperature: 0.5 }, { model: 'o4-mini', temperature: 0.5 }], prompt: '{problem}' } });
    expect(await run(['tune', refused], bad.io)).toBe(2);
    expect(bad.err()).toMatch(/search_space\.model\.1\.temperature/);
    expect(bad.err()).toMatch(/o4-mini/);
    expect(server().stats().requests).toBe(0);

    const c = cli();
    const file = exampleConfig({
      optimization_budget: 0.05,
      num_samples: 6,
      search_space: { model: [{ model: 'gpt-4o-mini' }, { model: 'o4-mini', reasoning_effort: ['minimal', 'low'] }], prompt: '{problem} Answer with just the number.', max_tokens: 2000, n: 1 },
    });
    expect(await run(['tune', file], c.io)).toBe(0);
    expect(server().stats().errors.bad_request).toBe(0);
    expect(c.err()).toContain('note: o4-mini: reasoning_effort "minimal" not sampled');
    const trials = readJsonl(join(tmp(), 'log.jsonl')).filter((l) => l.type === 'trial') as Array<{ config: Record<string, unknown> }>;
    for (const { config } of trials.filter((t) => t.config.model === 'o4-mini')) {
      expect(config.reasoning_effort).toBe('low');
      expect(config).not.toHaveProperty('temperature');
      expect(config).not.toHaveProperty('top_p');
    }
  }, 120_000);
});

