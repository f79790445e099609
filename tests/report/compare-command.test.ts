import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadQuestions, outcomeProbabilities, settingsFor, type PreparedQuestion } from '../../fixtures/server/index.mjs';
import { mcnemarExact, pairedDifference } from '../../src/index.js';
import { run } from '../../src/cli/main.js';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { captureIO } from '../helpers/cli.js';
import { TEST_DATA } from '../tune/tune-helpers.js';

const server = useFixtureServer({ apiKeys: [FIXTURE_KEY] });
const tmp = useTempDir('autotune-compare-');

const COT = "{problem} Let's think step by step.";
const PRICES = 'prices: {gpt-3.5-turbo: [0.0015, 0.002], gpt-4: [0.03, 0.06]}';

function writeConfig(name: string, model: string): string {
  writeFileSync(join(tmp(), name), [`model: ${model}`, `prompt: ${JSON.stringify(COT)}`, 'eval: builtin:answer_vote', 'metric: success_vote', 'mode: max', PRICES, ''].join('\n'));
  return name;
}

/**
 * The expected accuracy of one sample (n = 1, no max_tokens: nothing is cut) of a config on a
 * row, in closed form from the fixture's model: it rambles with probability pRamble (wrong),
 * else returns its greedy answer with probability pGreedyPath, else a fresh path that is right
 * with probability pCorrectPath.
 */
function exactAccuracy(questions: PreparedQuestion[], model: string): number {
  let sum = 0;
  for (const q of questions) {
    const o = outcomeProbabilities(q, settingsFor({ model, prompt: COT }, COT.replace('{problem}', q.problem)));
    const greedyRight = o.greedyAnswer === q.answer ? 1 : 0;
    sum += (1 - o.pRamble) * (o.pGreedyPath * greedyRight + (1 - o.pGreedyPath) * o.pCorrectPath);
  }
  return sum / questions.length;
}

interface CompareJson {
  metric: string;
  rows: number;
  a: { metric: number; inference_cost: number; paid: number; cached: number };
  b: { metric: number; inference_cost: number; paid: number; cached: number };
  difference: { estimate: number; ci: [number, number]; p_value: number; method: string; only_a: number; only_b: number };
  cost_difference: { estimate: number; ci: [number, number] };
  better: string | null;
  paid: number;
}

describe('autotune compare', () => {
  it("two configs of the fixture on the same rows: the 95% CI covers the exact difference of the fixture's landscape; a re-run is served from the cache", async () => {
    const a = writeConfig('gpt4.yaml', 'gpt-4');
    const b = writeConfig('gpt35.yaml', 'gpt-3.5-turbo');
    const c = captureIO(fixtureEnv(server(), { NO_COLOR: '1' }), tmp());
    server().resetStats();
    expect(await run(['compare', a, b, '--data', TEST_DATA, '--json'], c.io)).toBe(0);
    const r = JSON.parse(c.out()) as CompareJson;
    expect(r).toMatchObject({ metric: 'success_vote', rows: 300, better: 'a' });
    expect(r.difference.method).toBe('mcnemar');

    const questions = await loadQuestions<PreparedQuestion>([TEST_DATA]);
    const exact = exactAccuracy(questions, 'gpt-4') - exactAccuracy(questions, 'gpt-3.5-turbo');
    expect(exact).toBeGreaterThan(0.1); // the landscape's gap (0.850 vs 0.683 expected)
    expect(r.difference.ci[0]).toBeLessThanOrEqual(exact);
    expect(r.difference.ci[1]).toBeGreaterThanOrEqual(exact);
    expect(r.difference.estimate).toBeCloseTo(r.a.metric - r.b.metric, 12);
    expect(r.difference.p_value).toBeLessThan(0.001);
    expect(r.difference.p_value).toBeCloseTo(mcnemarExact(r.difference.only_a, r.difference.only_b), 12);

    // cost: what the server charged is what the two sides paid, and gpt-4 is dearer per row
    expect(r.paid).toBeCloseTo(server().stats().cost, 10);
    expect(r.cost_difference.estimate).toBeCloseTo(r.a.inference_cost - r.b.inference_cost, 12);
    expect(r.cost_difference.ci[0]).toBeGreaterThan(0);

    // the same comparison again: every sample comes from the cache, the numbers are the same
    const again = captureIO(fixtureEnv(server(), { NO_COLOR: '1' }), tmp());
    server().resetStats();
    expect(await run(['compare', a, b, '--data', TEST_DATA, '--json'], again.io)).toBe(0);
    const r2 = JSON.parse(again.out()) as CompareJson;
    expect(server().stats().requests).toBe(0);
    expect(r2.paid).toBe(0);
    expect(r2.a.cached).toBe(300);
    expect(r2.difference).toEqual(r.difference);

    // the table names both configs, the difference with its interval, and the verdict
    const t = captureIO(fixtureEnv(server(), { NO_COLOR: '1' }), tmp());
    expect(await run(['compare', a, b, '--data', TEST_DATA, '--limit', '50'], t.io)).toBe(0);
    expect(t.out()).toMatch(/gpt4\.yaml/);
    expect(t.out()).toMatch(/success_vote a − b\s+[+−]\d\.\d{4}\s+95% CI \[[+−]\d\.\d{4}, [+−]\d\.\d{4}\]\s+p = /);
    expect(t.out()).toMatch(/cost a − b\s+\+\$/);
    expect(t.out()).toMatch(/rows\s+50 paired/);
  });

  it('configs that optimise different metrics need --metric: exit 2 before any request', async () => {
    writeConfig('a.yaml', 'gpt-4');
    server().resetStats();
    writeFileSync(join(tmp(), 'b.yaml'), ['model: gpt-3.5-turbo', `prompt: ${JSON.stringify(COT)}`, 'eval: builtin:answer_vote', 'metric: votes', PRICES, ''].join('\n'));
    const c = captureIO(fixtureEnv(server(), { NO_COLOR: '1' }), tmp());
    expect(await run(['compare', 'a.yaml', 'b.yaml', '--data', TEST_DATA, '--limit', '5'], c.io)).toBe(2);
    expect(c.err()).toMatch(/--metric: the configs optimise different metrics: success_vote \(a\.yaml\) and votes \(b\.yaml\)/);
    expect(c.err()).toMatch(/hint: name the one to compare with --metric/);
    expect(server().stats().requests).toBe(0);
  });
});

describe('pairedDifference', () => {
  it('a paired interval is narrower than the spread of either side, and centres on the mean difference', () => {
    let s = 1;
    const rand = (): number => ((s = (s * 16807) % 2147483647) / 2147483647);
    const base = Array.from({ length: 400 }, () => rand() * 10);
    const a = base.map((x) => x + 0.5 + (rand() - 0.5) * 0.2);
    const d = pairedDifference(a, base, { rng: rand });
    expect(d.method).toBe('paired-bootstrap');
    expect(d.estimate).toBeCloseTo(0.5, 1);
    expect(d.low).toBeGreaterThan(0.45);
    expect(d.high).toBeLessThan(0.55);
    expect(d.pValue).toBeLessThan(0.01);
    const same = pairedDifference(base, base, { rng: rand });
    expect([same.estimate, same.low, same.high]).toEqual([0, 0, 0]);
  });

  it("McNemar's exact test on the discordant rows", () => {
    expect(mcnemarExact(0, 0)).toBe(1);
    expect(mcnemarExact(5, 5)).toBe(1);
    // 10 discordant, 9 one way: 2 × P(X ≤ 1), X ~ Bin(10, 1/2) = 2 × 11/1024
    expect(mcnemarExact(9, 1)).toBeCloseTo((2 * 11) / 1024, 12);
    expect(mcnemarExact(1, 9)).toBeCloseTo((2 * 11) / 1024, 12);
  });
});
