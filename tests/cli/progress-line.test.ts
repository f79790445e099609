import { run } from '../../src/cli/main.js';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { captureIO } from '../helpers/cli.js';
import { TEST_DATA } from '../tune/tune-helpers.js';

// every answer takes 1.5 s: 8 rows one at a time last at least 12 s, longer than the 10 s between
// plain progress lines, however fast or loaded the machine
const server = useFixtureServer({ apiKeys: [FIXTURE_KEY], latencyMs: 1500 });
const tmp = useTempDir('autotune-progress-');

describe('progress when stderr is not a terminal (CI logs)', () => {
  it('a long run prints a plain progress line (rows, failures, spend), no bar', async () => {
    const c = captureIO(fixtureEnv(server(), { NO_COLOR: '1' }), tmp());
    const argv = ['test', '--data', TEST_DATA, '--model', 'gpt-4o-mini', '--prompt', '{problem} Answer with just the number.', '--eval', 'builtin:answer_vote', '--limit', '8', '--concurrency', '1'];
    expect(await run(argv, c.io)).toBe(0);
    expect(c.err()).toMatch(/^test [1-7]\/8 \| failed 0 \| spent \$[\d.]+$/m);
    expect(c.err()).not.toMatch(/\u001b\[|\r/);
    expect(c.out()).not.toMatch(/^test \d/m);
  }, 120_000);
});
