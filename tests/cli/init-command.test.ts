import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { run } from '../../src/cli/main.js';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { captureIO } from '../helpers/cli.js';
import { TEST_DATA } from '../tune/tune-helpers.js';

const server = useFixtureServer({ apiKeys: [FIXTURE_KEY] });
const tmp = useTempDir('autotune-init-');

beforeEach(() => server().resetStats());

async function cli(argv: string[]) {
  const c = captureIO(fixtureEnv(server(), { NO_COLOR: '1' }), tmp());
  const code = await run(argv, c.io);
  return { code, out: c.out(), err: c.err() };
}

describe('autotune init, and tune finding autotune.yaml', () => {
  it('init writes a commented autotune.yaml and sample data; a bare `tune` runs it within its budget', async () => {
    const init = await cli(['init']);
    expect(init.code).toBe(0);
    expect(init.out).toBe('');
    expect(init.err).toMatch(/wrote autotune-data\.jsonl[\s\S]*wrote autotune\.yaml[\s\S]*next: autotune tune/);
    const text = readFileSync(join(tmp(), 'autotune.yaml'), 'utf8');
    // editors find the shipped schema; the endpoint of OPENAI_BASE_URL is named
    const schema = /^# yaml-language-server: \$schema=(.+)$/m.exec(text)?.[1];
    expect(schema).toBeDefined();
    expect(existsSync(resolve(tmp(), schema ?? ''))).toBe(true);
    expect(text).toContain(`Requests go to ${server().baseURL} (OPENAI_BASE_URL)`);
    expect(text).toMatch(/^data: "autotune-data\.jsonl" +# /m);
    expect(text).toMatch(/^ {2}field: "answer" +# /m);
    expect(readFileSync(join(tmp(), 'autotune-data.jsonl'), 'utf8').trim().split('\n')).toHaveLength(20);

    const tune = await cli(['tune', '--json']);
    expect(tune.code).toBe(0);
    const report = JSON.parse(tune.out) as { best_config: { model: string }; optimization_cost: number };
    expect(['gpt-4o-mini', 'gpt-4o']).toContain(report.best_config.model);
    expect(report.optimization_cost).toBeLessThanOrEqual(0.05);
    expect(report.optimization_cost).toBeCloseTo(server().stats().cost, 10);

    // never overwrites
    const again = await cli(['init']);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/autotune\.yaml exists: init never overwrites a file/);
    expect(readFileSync(join(tmp(), 'autotune.yaml'), 'utf8')).toBe(text);
  }, 180_000);

  it('init --data FILE --eval-field F: the prompt shows the input field, the eval reads F; tune -c runs it', async () => {
    const rows = readFileSync(TEST_DATA, 'utf8').trim().split('\n').slice(0, 12).map((l) => {
      const r = JSON.parse(l) as { problem: string; answer: string };
      return JSON.stringify({ id: 'x', question: r.problem, gold: r.answer });
    });
    writeFileSync(join(tmp(), 'qa.jsonl'), `${rows.join('\n')}\n`);
    mkdirSync(join(tmp(), 'exp'));
    const init = await cli(['init', 'exp/tune.yaml', '--data', 'qa.jsonl', '--eval-field', 'gold']);
    expect(init.code).toBe(0);
    expect(init.err).toContain('next: autotune tune -c exp/tune.yaml');
    expect(existsSync(join(tmp(), 'exp', 'autotune-data.jsonl'))).toBe(false);
    const text = readFileSync(join(tmp(), 'exp/tune.yaml'), 'utf8');
    expect(text).toMatch(/^data: "\.\.\/qa\.jsonl"/m);
    expect(text).toContain('"{question} Answer with just the final answer."');
    expect(text).toMatch(/^ {2}field: "gold"/m);
    const tune = await cli(['tune', '-c', 'exp/tune.yaml', '--optimization-budget', '0.01', '--json']);
    expect(tune.err).not.toMatch(/error/);
    expect(tune.code).toBe(0);

    const noField = await cli(['init', 'other.yaml', '--data', 'qa.jsonl']);
    expect(noField.code).toBe(2);
    expect(noField.err).toMatch(/error: --eval-field: the first row of .*qa\.jsonl has no answer field\n {2}hint: .*--eval-field FIELD \(the row has id, question, gold\)/);
    expect(existsSync(join(tmp(), 'other.yaml'))).toBe(false);
  }, 180_000);

  it('tune with no config and no autotune.yaml says how to get one; the config is given once', async () => {
    const none = await cli(['tune']);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/error: --config: no config given and no autotune\.yaml in .*\n {2}hint: autotune init writes a commented autotune\.yaml/);
    writeFileSync(join(tmp(), 'a.yaml'), 'x: 1\n');
    const twice = await cli(['tune', 'a.yaml', '-c', 'a.yaml']);
    expect(twice.code).toBe(2);
    expect(twice.err).toMatch(/error: --config: give the config once/);
    expect(server().stats().requests).toBe(0);
  });
});
