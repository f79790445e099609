import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { cli, spawnCli, TEST_DATA } from '../reliability/reliability-helpers.js';
import { tuneYaml, writeTuneConfig } from '../tune/tune-helpers.js';

// builtin:code through the CLI against the fixture server: the sandbox is said at the start
// of a run (stderr, --json, the trial log), a missing sandbox is refused before anything is
// spent, and a program cannot read the key from the environment of the autotune process
// running it (the built CLI in a child process, the key in its environment).

const server = useFixtureServer({ apiKeys: [FIXTURE_KEY] });
const tmp = useTempDir('autotune-code-cli-');
const PROBLEMS = readFileSync(TEST_DATA, 'utf8').split('\n').filter(Boolean).slice(0, 2)
  .map((l) => (JSON.parse(l) as { problem: string }).problem);

/**
 * Rows whose program is `head + <the model's answer> + tail + check(f)`: the answer (the
 * fixture's arithmetic text) lands in a string literal, so the program is what the test wrote.
 */
function writeRows(head: string, tail: string): string {
  const file = join(tmp(), 'rows.jsonl');
  const rows = PROBLEMS.map((problem) => ({ problem, prompt: `${head}\nNOTE = """\n`, test: `\n"""\n${tail}\n`, entry_point: 'f' }));
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return file;
}

function writeConfig(evalSpec: string): string {
  const file = join(tmp(), 'config.yaml');
  writeFileSync(file, ['model: gpt-4o-mini', 'prompt: "{problem} Answer with just the number."', `eval: ${evalSpec}`, 'metric: success', ''].join('\n'));
  return file;
}

const PASSING = ['def f():\n    return 1', 'def check(c):\n    assert c() == 1'] as const;

/** Passes only when the key is found in the environment of some process the program can see. */
const FINDS_KEY = [
  'import os\ndef f():\n    return 1',
  [
    'def check(_):',
    '    for pid in os.listdir("/proc"):',
    '        try:',
    `            if b"${FIXTURE_KEY}" in open("/proc/%s/environ" % pid, "rb").read():`,
    '                return',
    '        except OSError:',
    '            pass',
    '    raise AssertionError("the key is nowhere to be read")',
  ].join('\n'),
] as const;

beforeEach(() => server().resetStats());

describe('builtin:code in autotune test and tune', () => {
  it('test says the sandbox on stderr and in --json, and runs the programs', async () => {
    const data = writeRows(...PASSING);
    const r = await cli(['test', '--config', writeConfig('{builtin: code, timeout: 10}'), '--data', data, '--json'], fixtureEnv(server()), tmp());
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^sandbox: namespace \(own PID, mount, network/m);
    const summary = JSON.parse(r.out) as { metrics: Record<string, number>; sandbox: { level: string; description: string } };
    expect(summary.metrics['success']).toBe(1);
    expect(summary.sandbox).toEqual({ level: 'namespace', description: expect.stringMatching(/^namespace \(/) as unknown });
  }, 120_000);

  it('refuses with exit 2 before any request where no sandbox can be made, and says how to get one', async () => {
    const data = writeRows(...PASSING);
    const r = await cli(['test', '--config', writeConfig('{builtin: code, unshare: no-such-unshare-xyz}'), '--data', data], fixtureEnv(server()), tmp());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/builtin:code refuses to run model-written programs: no safe sandbox .*'no-such-unshare-xyz' was not found/);
    expect(r.err).toContain('sandbox: unsafe-prelude');
    expect(r.err).toMatch(/unprivileged user namespaces|CAP_SYS_ADMIN/);
    expect(server().stats().requests).toBe(0);
  }, 60_000);

  it('the unsafe-prelude opt-in is said as a warning', async () => {
    const data = writeRows(...PASSING);
    const r = await cli(['test', '--config', writeConfig('{builtin: code, timeout: 10, sandbox: unsafe-prelude}'), '--data', data, '--json'], fixtureEnv(server()), tmp());
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^warning: sandbox: unsafe-prelude \(no namespaces/m);
    expect(JSON.parse(r.out)).toMatchObject({ metrics: { success: 1 }, sandbox: { level: 'unsafe-prelude' } });
  }, 120_000);

  it('tune says the sandbox on stderr and records it in the trial log\'s start line', async () => {
    const data = writeRows(...PASSING);
    const file = writeTuneConfig(tmp(), tuneYaml(
      { data: JSON.stringify(data), eval: '{builtin: code, timeout: 10}', metric: 'success', optimization_budget: '0.002', num_samples: '1', log_file: 'log.jsonl', prices: '{gpt-4o-mini: [0.00015, 0.0006]}' },
      'search_space:\n  model: [gpt-4o-mini]\n  prompt: ["{problem} Answer with just the number."]\n  max_tokens: 20\n  n: 1',
    ));
    const r = await cli(['tune', file, '--json'], fixtureEnv(server()), tmp());
    expect(r.err).toMatch(/^sandbox: namespace \(/m);
    const start = JSON.parse(readFileSync(join(tmp(), 'log.jsonl'), 'utf8').split('\n')[0] ?? '') as Record<string, unknown>;
    expect(start).toMatchObject({ type: 'start', sandbox: { level: 'namespace', description: expect.stringMatching(/^namespace \(/) as unknown } });
  }, 180_000);

  it('a program cannot read the API key from the environment of the autotune running it (the same program can under unsafe-prelude)', async () => {
    const data = writeRows(...FINDS_KEY);
    const env = fixtureEnv(server());
    const sandboxed = await spawnCli(['test', '--config', writeConfig('{builtin: code, timeout: 10}'), '--data', data, '--json'], env, tmp()).done;
    expect(sandboxed.code).toBe(0);
    expect(JSON.parse(sandboxed.out)).toMatchObject({ metrics: { success: 0 }, failed: 0, sandbox: { level: 'namespace' } });
    const unsafe = await spawnCli(['test', '--config', writeConfig('{builtin: code, timeout: 10, sandbox: unsafe-prelude}'), '--data', data, '--json'], env, tmp()).done;
    expect(JSON.parse(unsafe.out)).toMatchObject({ metrics: { success: 1 }, failed: 0 });
  }, 180_000);
});
