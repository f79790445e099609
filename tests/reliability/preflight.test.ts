import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { TUNE_DATA, writeTuneConfig } from '../tune/tune-helpers.js';
import { cli, reliabilityTuneYaml, usageRows } from './reliability-helpers.js';

// Checked before a cent is spent: what would make every answer bought useless is found first,
// and a run whose evaluation cannot work stops at once.
const server = useFixtureServer({ apiKeys: [FIXTURE_KEY] });
const tmp = useTempDir('autotune-preflight-');
beforeEach(() => server().resetStats());

/** The tuning data with `answer` renamed `solution` (a GSM8K-style file). */
function solutionData(): string {
  const rows = readFileSync(TUNE_DATA, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const file = join(tmp(), 'solutions.jsonl');
  writeFileSync(file, rows.map(({ answer, ...rest }) => JSON.stringify({ ...rest, solution: answer })).join('\n') + '\n');
  return file;
}

describe('checked before a cent is spent', () => {
  it('tune: a built-in eval’s row field missing from the data is exit 2 with "did you mean `field: solution`", nothing sent', async () => {
    const data = solutionData();
    const file = writeTuneConfig(tmp(), reliabilityTuneYaml({ data: JSON.stringify(data) }));
    const r = await cli(['tune', file], fixtureEnv(server()), tmp());
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${data}:1: answer: builtin:answer_vote reads the row field 'answer' (its option \`field\`), which this row does not have (its fields: id, problem, solution)`);
    expect(r.err).toContain('did you mean `field: solution`? e.g. eval: {builtin: answer_vote, field: solution}');
    expect(r.out).toBe('');
    expect(server().stats().requests).toBe(0);
    // and with the option set, the same data tunes
    const fixed = writeTuneConfig(tmp(), reliabilityTuneYaml({ data: JSON.stringify(data), eval: '{builtin: answer_vote, field: solution}', num_samples: '2' }), 'fixed.yaml');
    expect((await cli(['tune', fixed, '--json'], fixtureEnv(server()), tmp())).code).toBe(0);
  });

  it('test: the same check, on the first rows, before any request', async () => {
    const data = solutionData();
    const r = await cli(['test', '--model', 'gpt-4', '--prompt', '{problem}', '--eval', 'builtin:exact_match', '--data', data], fixtureEnv(server()), tmp());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/builtin:exact_match reads the row field 'answer'[\s\S]*did you mean `field: solution`\?/);
    expect(server().stats().requests).toBe(0);
  });

  it('a tune whose eval throws on every answer stops at once with the eval’s message (exit 1), not at the end of its budget', async () => {
    writeFileSync(join(tmp(), 'broken.mjs'), "export default (responses) => { if (responses[0] === '') return { success: 0 }; throw new Error('my eval is broken'); };\n");
    const file = writeTuneConfig(tmp(), reliabilityTuneYaml({ eval: './broken.mjs', metric: 'success', optimization_budget: '0.5', num_samples: '-1' }));
    const r = await cli(['tune', file, '--json'], fixtureEnv(server()), tmp());
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as { stop_reason: string; optimization_cost: number; error?: string };
    expect(report.stop_reason).toBe('failures');
    expect(report.error).toMatch(/the eval failed on every answer so far \(\d+ calls, none scored\); the last: .*my eval is broken/);
    expect(r.err).toMatch(/error: the tune stopped: the eval failed on every answer so far[\s\S]*hint: fix the eval/);
    // at once: a few cents of the $0.50, not the budget
    expect(server().stats().cost).toBeLessThan(0.05);
  });

  it('tune: a model the server does not have (404 model_not_found) is exit 2 naming the model, before a probe is bought', async () => {
    const space = ['search_space:', '  model: [gpt-4, gpt-4o-mini-typo]', '  prompt: ["{problem} Answer with just the number."]', '  n: {randint: [1, 3]}', ''].join('\n');
    const file = writeTuneConfig(tmp(), reliabilityTuneYaml({ prices: '{gpt-4: [0.03, 0.06], gpt-4o-mini-typo: [0.00015, 0.0006]}' }).replace(/search_space:[\s\S]*$/, space));
    const r = await cli(['tune', file], fixtureEnv(server()), tmp());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/model gpt-4o-mini-typo: the server does not have it \(404\): .*does not exist/);
    expect(r.err).toMatch(/hint: .*search_space\.model/);
    // only the one-token checks of each model were sent: a fraction of a cent, no probe bought
    expect(server().stats().log.every((l) => l.completion_tokens <= 1)).toBe(true);
    expect(server().stats().cost).toBeLessThan(0.005);
  });

  it('test: stops at the first 404 (a model the server does not have, or a wrong URL) instead of sending every row', async () => {
    const args = (model: string) => ['test', '--model', model, '--prompt', '{problem}', '--eval', 'builtin:answer_vote', '--data', TUNE_DATA, '--concurrency', '2'];
    const model = await cli(args('gpt-4o-mini-typo'), fixtureEnv(server()), tmp());
    expect(model.code).toBe(2);
    expect(model.err).toMatch(/model gpt-4o-mini-typo: the server does not have it \(404\)/);
    expect(server().stats().requests).toBeLessThanOrEqual(4);
    server().resetStats();
    const url = await cli(args('gpt-4'), fixtureEnv(server(), { OPENAI_BASE_URL: `${server().url}/wrong/v1` }), tmp());
    expect(url.code).toBe(2);
    expect(url.err).toMatch(/404 at .*\/wrong\/v1/);
    expect(url.err).toMatch(/hint: check base_url/);
    // the server counts no completion request at an unknown path: the usage log has each attempt
    expect(usageRows(join(tmp(), '.cache')).filter((u) => u.outcome === 'failed' && u.error === 'not_found').length).toBeLessThanOrEqual(4);
  });

  it('tune: an unescaped { in a system message of one arm is exit 2 naming file, line and key, before the first request', async () => {
    const space = [
      'search_space:',
      '  model: [gpt-3.5-turbo]',
      '  messages:',
      '    - [{role: user, content: "{problem} Answer with just the number."}]',
      '    - [{role: system, content: "Reply as JSON like {\\"answer\\": 1}"}, {role: user, content: "{problem}"}]',
      '  n: {randint: [1, 3]}',
      '',
    ].join('\n');
    const file = writeTuneConfig(tmp(), reliabilityTuneYaml().replace(/search_space:[\s\S]*$/, space));
    const r = await cli(['tune', file], fixtureEnv(server()), tmp());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/tune\.yaml:\d+: search_space\.messages: unbalanced or invalid brace in search_space\.messages near "JSON like \{"answer": 1\}"/);
    expect(r.err).toContain('write {{ and }} for literal braces');
    expect(server().stats().requests).toBe(0);
  });
});
