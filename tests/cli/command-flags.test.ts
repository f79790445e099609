import { REQUEST_PARAMETERS, TUNE_KEYS } from '../../src/index.js';
import { run } from '../../src/cli/main.js';
import { OVERRIDE_FLAGS } from '../../src/cli/commands/tune.js';
import { captureIO } from '../helpers/cli.js';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';

// each flag is declared once: the request flags of create and test come from the registry of
// request parameters, tune's overrides are its config keys (cli/command.ts, cli/shared-flags.ts)

const server = useFixtureServer({ apiKeys: [FIXTURE_KEY] });
const tmp = useTempDir('autotune-flags-');

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const c = captureIO(fixtureEnv(server(), { NO_COLOR: '1' }), tmp());
  const code = await run(args, c.io);
  return { code, out: c.out(), err: c.err() };
}

const flagged = Object.entries(REQUEST_PARAMETERS).filter(([, spec]) => spec.flag !== undefined);

describe('flags declared once', () => {
  it('every request parameter the registry gives a flag is a flag of create and of test', async () => {
    expect(flagged.map(([key]) => key)).toEqual(expect.arrayContaining(['n', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'stop']));
    for (const command of ['create', 'test']) {
      const help = (await cli([command, '--help'])).out;
      for (const [key] of flagged) expect(help).toContain(`--${key.replaceAll('_', '-')} `);
    }
  });

  it('a registry flag reaches the request, checked against the parameter\'s range', async () => {
    const r = await cli(['create', '--model', 'gpt-4o-mini', '--prompt', 'What is 2 + 2?', '--temperature', '0.25', '-n', '2', '--stop', 'END', '--json']);
    expect(r.code).toBe(0);
    const history = JSON.parse((await cli(['usage', '--history', '--full', '--json'])).out) as { history: Record<string, { request: Record<string, unknown> }> };
    expect(Object.values(history.history)[0]?.request).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.25, n: 2, stop: ['END'] });
    const tooMany = await cli(['create', '--model', 'gpt-4o-mini', '--prompt', 'hi', '-n', '200']);
    expect(tooMany.code).toBe(2);
    expect(tooMany.err).toMatch(/--n: must be an integer >= 1 and <= 128, got "200"/);
  });

  it("each of tune's override flags is a key of the tune config", () => {
    const keys = Object.keys(OVERRIDE_FLAGS).map((name) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
    for (const key of keys) expect(TUNE_KEYS).toContain(key);
  });
});
