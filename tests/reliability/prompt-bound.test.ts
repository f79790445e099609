import { estimatePromptTokens } from '../../src/pricing/cost.js';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { writeTuneConfig } from '../tune/tune-helpers.js';
import { cli, reliabilityTuneYaml } from './reliability-helpers.js';

// The ledger reserves a prompt's worst case before each request from a bound on its tokens that
// holds for any UTF-8 text (src/pricing/cost.ts). Over HTTP: what the server counted for each
// token-dense prompt is within the bound, and a tune of such prompts stays within its budget.
const server = useFixtureServer({ apiKeys: [FIXTURE_KEY] });
const tmp = useTempDir('autotune-prompt-bound-');
beforeEach(() => server().resetStats());

const DENSE: Record<string, string> = {
  emoji: '😀🙃🤖🧠🎉'.repeat(60),
  cjk: '東京都の天気は晴れです。明日は雨が降るでしょう。'.repeat(20),
  base64: Buffer.from(Array.from({ length: 900 }, (_, i) => (i * 7919) % 256)).toString('base64'),
};

describe('the prompt reservation bounds what the server counts', () => {
  it.each(Object.keys(DENSE))('%s prompts: every request’s prompt tokens at the server ≤ the bound; the tune stays within its budget', async (name) => {
    const filler = DENSE[name] as string;
    const budget = 0.02;
    const space = ['search_space:', '  model: [gpt-3.5-turbo]', `  prompt: [${JSON.stringify(`${filler} {problem} Answer with just the number.`)}]`, '  n: {randint: [1, 5]}', ''].join('\n');
    const file = writeTuneConfig(tmp(), reliabilityTuneYaml({ optimization_budget: String(budget), num_samples: '-1' }).replace(/search_space:[\s\S]*$/, space));
    const r = await cli(['tune', file, '--json'], fixtureEnv(server()), tmp());
    expect([0, 1]).toContain(r.code);
    const stats = server().stats();
    expect(stats.ok).toBeGreaterThan(0);
    // the longest problem bounds every row's prompt: the bound of filler + that problem + chat overhead
    const bound = estimatePromptTokens([`${filler} ${'x'.repeat(400)} Answer with just the number.`]);
    for (const l of stats.log) if (l.status === 200) expect(l.prompt_tokens).toBeLessThanOrEqual(bound);
    expect(stats.cost).toBeLessThanOrEqual(budget + 1e-12);
    expect(typeof (JSON.parse(r.out) as { total_spend: unknown }).total_spend).toBe('number');
  }, 120_000);
});
