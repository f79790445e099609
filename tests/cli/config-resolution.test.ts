import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/cli/main.js';
import { captureIO } from '../helpers/cli.js';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';

// create, test and tune resolve a config file the same way: a flag overrides the file's
// prompt/messages, and the file's paths are relative to the file (config/request-config.ts)

const server = useFixtureServer({ apiKeys: [FIXTURE_KEY] });
const tmp = useTempDir('autotune-config-resolution-');
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ARITH_TEST = join(ROOT, 'fixtures/data/arith/test.jsonl');
const ARITH_TUNE = join(ROOT, 'fixtures/data/arith/tune.jsonl');
const K_EVAL = join(ROOT, 'tests/ops/fixtures/k-eval.mjs');
const problem = 'A baker makes 7 trays of 20 rolls and sells 90 of them. How many rolls are left?';

beforeEach(() => server().resetStats());

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const c = captureIO(fixtureEnv(server(), { NO_COLOR: '1' }), tmp());
  const code = await run(args, c.io);
  return { code, out: c.out(), err: c.err() };
}

function write(name: string, lines: string[]): string {
  const file = join(tmp(), name);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, `${lines.join('\n')}\n`);
  return name;
}

/** The messages of the logged requests of `create` (its usage log keeps the history). */
async function sentMessages(root: string): Promise<unknown[]> {
  const r = await cli(['usage', '--cache-path-root', root, '--history', '--full', '--json']);
  expect(r.code).toBe(0);
  const history = (JSON.parse(r.out) as { history: Record<string, { request: { messages: unknown } }> }).history;
  return Object.values(history).map((h) => h.request.messages);
}

describe('a flag overrides the config file the same way in create and test', () => {
  const fromFile = ['model: gpt-4o-mini', 'messages: [{role: system, content: "from the file"}, {role: user, content: "{problem}"}]', `eval: ${K_EVAL}`];

  it('create --config (with messages) --prompt sends the flag\'s prompt', async () => {
    const config = write('c.yaml', fromFile);
    const r = await cli(['create', '--config', config, '--prompt', 'flag: {problem}', '--var', `problem=${problem}`, '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(await sentMessages('.cache')).toEqual([[{ role: 'user', content: `flag: ${problem}` }]]);
  });

  it('create --config (with a prompt) --messages sends the flag\'s messages', async () => {
    const config = write('c.yaml', ['model: gpt-4o-mini', 'prompt: "file: {problem}"']);
    write('m.json', [JSON.stringify([{ role: 'user', content: 'messages flag: {problem}' }])]);
    const r = await cli(['create', '--config', config, '--messages', 'm.json', '--var', `problem=${problem}`, '--json']);
    expect(r.code).toBe(0);
    expect(await sentMessages('.cache')).toEqual([[{ role: 'user', content: `messages flag: ${problem}` }]]);
  });

  it('test --config (with messages) --prompt runs with the flag\'s prompt', async () => {
    const config = write('c.yaml', fromFile);
    const r = await cli(['test', '--config', config, '--prompt', 'flag: {problem}', '--data', ARITH_TEST, '--limit', '2', '--json']);
    expect(r.code).toBe(0);
    expect(server().stats().requests).toBe(2);
  });
});

describe('paths in a config file are relative to the file, for create, test and tune', () => {
  it('cache_path_root: mycache in sub/c.yaml is sub/mycache for create and test', async () => {
    const config = write('sub/c.yaml', ['model: gpt-4o-mini', 'prompt: "{problem} Answer with just the number."', `eval: ${K_EVAL}`, 'cache_path_root: mycache']);
    expect((await cli(['create', '--config', config, '--var', `problem=${problem}`, '--json'])).code).toBe(0);
    expect(existsSync(join(tmp(), 'sub', 'mycache', '41', 'cache.sqlite'))).toBe(true);

    // test finds the answers create stored there: the shared cache, no new request
    const r = await cli(['test', '--config', config, '--data', ARITH_TEST, '--limit', '1', '--json']);
    expect(r.code).toBe(0);
    expect(existsSync(join(tmp(), 'mycache'))).toBe(false);
    expect(existsSync(join(tmp(), 'sub', 'mycache', 'usage.sqlite'))).toBe(true);
    expect(server().stats().requests).toBe(2);
    const again = await cli(['test', '--config', config, '--data', ARITH_TEST, '--limit', '1', '--json']);
    expect(JSON.parse(again.out)).toMatchObject({ cached: 1, cost: 0 });
    expect(server().stats().requests).toBe(2);
  });

  it('--cache-path-root is relative to the working directory', async () => {
    const config = write('sub/c.yaml', ['model: gpt-4o-mini', 'prompt: "{problem} Answer with just the number."', `eval: ${K_EVAL}`, 'cache_path_root: mycache']);
    expect((await cli(['test', '--config', config, '--data', ARITH_TEST, '--limit', '1', '--cache-path-root', 'here', '--json'])).code).toBe(0);
    expect(existsSync(join(tmp(), 'here', '41', 'cache.sqlite'))).toBe(true);
    expect(existsSync(join(tmp(), 'sub', 'mycache'))).toBe(false);
  });

  it('cache_path_root: mycache in sub/tune.yaml is sub/mycache for tune', async () => {
    const config = write('sub/tune.yaml', [
      `data: ${JSON.stringify(ARITH_TUNE)}`,
      'eval: builtin:answer_vote',
      'metric: success_vote',
      'num_samples: 1',
      'cache_path_root: mycache',
      'search_space: {model: gpt-4o-mini, prompt: "{problem} Answer with just the number.", max_tokens: 50, n: 1}',
    ]);
    const r = await cli(['tune', config, '--json']);
    expect(r.code).toBe(0);
    expect(existsSync(join(tmp(), 'sub', 'mycache', '41', 'cache.sqlite'))).toBe(true);
    expect(existsSync(join(tmp(), 'mycache'))).toBe(false);
  });
});
