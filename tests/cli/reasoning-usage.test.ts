import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/cli/main.js';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { captureIO } from '../helpers/cli.js';

const server = useFixtureServer({ apiKeys: [FIXTURE_KEY] });
const tmp = useTempDir('autotune-cli-reasoning-');
// a few-shot system message of well over 1,024 tokens: its prefix is cached from the second request on
const FEW_SHOT = Array.from({ length: 160 }, (_, i) => `Example ${i}: ${i + 3} boxes of ${i + 2} apples make ${(i + 3) * (i + 2)} apples.`).join('\n');

beforeEach(() => server().resetStats());

async function cli(argv: string[]) {
  const c = captureIO({ ...fixtureEnv(server()), NO_COLOR: '1' }, tmp());
  const code = await run(argv, c.io);
  return { code, out: c.out(), err: c.err() };
}

describe('reasoning and cached tokens through create and usage', () => {
  it('create takes --reasoning-effort and --max-tokens for a reasoning model; usage reports cached and reasoning tokens and the server\'s spend', async () => {
    const root = join(tmp(), '.cache');
    writeFileSync(join(tmp(), 'messages.json'), JSON.stringify([{ role: 'system', content: FEW_SHOT }, { role: 'user', content: '{q}' }]));
    for (const q of ['What is 6 * 7?', 'What is 8 * 9?', 'What is 12 - 5?']) {
      const r = await cli(['create', '--cache-path-root', root, '--model', 'gpt-5-mini', '--messages', 'messages.json', '--var', `q=${q}`, '--reasoning-effort', 'low', '--max-tokens', '2000', '-n', '2']);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/tokens\s+\d+ prompt.* \+ \d+ completion \(\d+ reasoning\)/);
    }
    const stats = server().stats();
    expect(stats.errors.bad_request).toBe(0);
    expect(stats.cached_tokens).toBeGreaterThan(0);
    const usage = JSON.parse((await cli(['usage', '--cache-path-root', root, '--json'])).out) as { by_model: Record<string, { cached_tokens: number; reasoning_tokens: number; cost: number }> };
    const m = usage.by_model['gpt-5-mini']!;
    expect(m.cached_tokens).toBe(stats.cached_tokens);
    expect(m.reasoning_tokens).toBe(stats.reasoning_tokens);
    expect(m.cost).toBeCloseTo(stats.cost, 10);
    const table = await cli(['usage', '--cache-path-root', root]);
    expect(table.out).toMatch(/of them cached/);
    expect(table.out).toMatch(/of them reasoning/);
  });

  it('create refuses a parameter the model cannot take: exit 2, nothing sent', async () => {
    const r = await cli(['create', '--model', 'o4-mini', '--prompt', 'What is 6 * 7?', '--temperature', '0.3']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/temperature/);
    expect(r.err).toMatch(/o4-mini/);
    expect(server().stats().requests).toBe(0);
  });

  it('test refuses a parameter the model cannot take: exit 2 before any row is sent', async () => {
    const data = fileURLToPath(new URL('../../fixtures/data/arith/test.jsonl', import.meta.url));
    const r = await cli(['test', '--model', 'o4-mini', '--temperature', '0.7', '--prompt', '{problem}', '--data', data, '--eval', 'builtin:answer_vote', '--limit', '20']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/o4-mini takes only the default temperature/);
    expect(server().stats().requests).toBe(0);
  });
});

