import { readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { run } from '../../src/cli/main.js';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { captureIO } from '../helpers/cli.js';
import { tuneYaml, writeTuneConfig } from './tune-helpers.js';

const server = useFixtureServer({ apiKeys: [FIXTURE_KEY] });
const tmp = useTempDir('autotune-tune-errors-');
beforeEach(() => server().resetStats());

/** Run tune on a config text; expect exit 2, a located message, and nothing spent or written. */
async function expectBadInput(text: string, pattern: RegExp, env: Record<string, string> = {}, attempted = false): Promise<string> {
  const file = writeTuneConfig(tmp(), text);
  const c = captureIO({ ...fixtureEnv(server(), { NO_COLOR: '1' }), ...env }, tmp());
  const code = await run(['tune', file, '--output', 'best.yaml'], c.io);
  expect(c.err()).toMatch(pattern);
  expect(code).toBe(2);
  expect(server().stats().requests).toBe(0);
  const written = readdirSync(tmp()).filter((f) => !['data.jsonl', 'tune.yaml', 'noexport.mjs'].includes(f));
  // failed attempts at an unreachable endpoint are usage, and are logged (the usage log, and the
  // trial log's account of what was reserved for them); nothing else is written
  if (attempted) expect(readdirSync(join(tmp(), '.cache')).sort()).toEqual(['tunes', 'usage.sqlite']);
  else expect(written).toEqual([]);
  return c.err();
}

function space(lines: string[]): string {
  return ['search_space:', ...lines.map((l) => `  ${l}`)].join('\n');
}

describe('tune: bad input is a clear error with file, line and key, exit 2, nothing spent or written', () => {
  it('malformed YAML', async () => {
    await expectBadInput('data: x\neval: [unclosed\n', /tune\.yaml:\d+: not valid YAML/);
  });

  it('an unknown key, with a suggestion', async () => {
    const err = await expectBadInput(tuneYaml({ optimisation_budget: '1' }), /tune\.yaml:\d+: optimisation_budget: unknown key/);
    expect(err).toMatch(/did you mean optimization_budget\?/);
  });

  it('an unknown key inside the search space', async () => {
    await expectBadInput(tuneYaml({}, space(['model: gpt-4', 'temprature: 0.5'])), /tune\.yaml:\d+: search_space\.temprature/);
  });

  it('a bad range and a wrong domain type', async () => {
    await expectBadInput(tuneYaml({}, space(['model: gpt-4', 'max_tokens: {lograndint: [500, 50]}'])), /tune\.yaml:\d+: search_space\.max_tokens: .*low <= high/);
    await expectBadInput(tuneYaml({}, space(['model: gpt-4', 'n: {uniform: [a, b]}'])), /tune\.yaml:\d+: search_space\.n/);
    await expectBadInput(tuneYaml({}, space(['model: gpt-4', 'temperature: {uniform: [0, 3]}'])), /search_space\.temperature/);
  });

  it('negative or zero budgets', async () => {
    await expectBadInput(tuneYaml({ optimization_budget: '-1' }), /tune\.yaml:\d+: optimization_budget: optimization_budget must be a positive number/);
    await expectBadInput(tuneYaml({ inference_budget: '0' }), /inference_budget must be a positive number/);
  });

  it('a template field missing from a data row, naming the line and the fields the row has', async () => {
    writeFileSync(join(tmp(), 'data.jsonl'), '{"problem": "1+1?", "answer": "2"}\n{"question": "2+2?", "answer": "4"}\n');
    await expectBadInput(tuneYaml({ data: 'data.jsonl' }), /data\.jsonl:2: problem: .*no field 'problem'[\s\S]*fields: question, answer/);
  });

  it('a JSONL line that is not JSON, and an empty dataset', async () => {
    writeFileSync(join(tmp(), 'data.jsonl'), '{"problem": "1+1?", "answer": "2"}\n{"problem": oops}\n');
    await expectBadInput(tuneYaml({ data: 'data.jsonl' }), /data\.jsonl:2: .*not (valid )?JSON/);
    writeFileSync(join(tmp(), 'data.jsonl'), '\n\n');
    await expectBadInput(tuneYaml({ data: 'data.jsonl' }), /data\.jsonl: .*no rows/);
  });

  it('a model without a price under a budget', async () => {
    await expectBadInput(tuneYaml({ prices: '{}' }, space(['model: [gpt-3.5-turbo, my-local-model]', 'prompt: "{problem}"'])), /tune\.yaml:\d+: search_space\.model: model my-local-model has no known price/);
  });

  it('an eval module that does not exist or exports no function, and a metric it never returns', async () => {
    await expectBadInput(tuneYaml({ eval: './nope.mjs' }), /tune\.yaml:\d+: eval: .*not found/);
    writeFileSync(join(tmp(), 'noexport.mjs'), 'export const answer = 42;\n');
    await expectBadInput(tuneYaml({ eval: './noexport.mjs' }), /tune\.yaml:\d+: eval: .*no function/);
    await expectBadInput(tuneYaml({ metric: 'accuracy' }), /tune\.yaml:\d+: metric: metric accuracy is not in the eval's result \(it returns: .*success_vote/);
  });

  it('a missing API key variable, and an unreachable base_url', async () => {
    await expectBadInput(tuneYaml(), /OPENAI_API_KEY is not set/, { OPENAI_API_KEY: '' });
    const port = await closedPort();
    await expectBadInput(tuneYaml({ config_list: `[{base_url: "http://127.0.0.1:${port}/v1", api_key: "\${OPENAI_API_KEY}"}]` }), /no endpoint answered[\s\S]*connection/, {}, true);
  });

  it('a missing required key', async () => {
    await expectBadInput(tuneYaml({ eval: '' }), /eval is required/);
    await expectBadInput(tuneYaml({ optimization_budget: '', num_samples: '-1' }), /set optimization_budget \(USD\) or num_samples/);
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}
