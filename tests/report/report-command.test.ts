import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../src/cli/main.js';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { captureIO } from '../helpers/cli.js';
import { tuneYaml, writeTuneConfig } from '../tune/tune-helpers.js';

const server = useFixtureServer({ apiKeys: [FIXTURE_KEY] });
const tmp = useTempDir('autotune-report-cmd-');

describe('autotune report (files in, one HTML file out)', () => {
  it('given the tune config, finds the default trial log under the cache root', async () => {
    const file = writeTuneConfig(tmp(), tuneYaml({ optimization_budget: '0.1' }));
    const env = fixtureEnv(server(), { NO_COLOR: '1' });
    const tuned = captureIO(env, tmp());
    expect(await run(['tune', file, '--json'], tuned.io)).toBe(0);
    const out = JSON.parse(tuned.out()) as { trials: number; pareto: Array<{ trial: number }> };
    const c = captureIO(env, tmp());
    expect(await run(['report', 'tune.yaml', '-o', 'page.html', '--json'], c.io)).toBe(0);
    const r = JSON.parse(c.out()) as { output: string; trials: number; pareto: number[]; bytes: number };
    expect(r).toMatchObject({ output: 'page.html', trials: out.trials, pareto: out.pareto.map((p) => p.trial) });
    const html = readFileSync(join(tmp(), 'page.html'), 'utf8');
    expect(Buffer.byteLength(html)).toBe(r.bytes);
    expect(html).toMatch(/\.cache\/tunes\/[0-9a-f]{16}\.jsonl/);
    // one file: no reference to anything outside it
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/i);

    // another cache root holds no run of this tune: said, exit 2, nothing written
    const none = captureIO(env, tmp());
    expect(await run(['report', 'tune.yaml', '--cache-path-root', 'elsewhere', '-o', 'other.html'], none.io)).toBe(2);
    expect(none.err()).toMatch(/tune\.yaml: no trial log of this tune at .*elsewhere\/tunes\/[0-9a-f]{16}\.jsonl/);
    expect(none.err()).toMatch(/hint: run autotune tune with this config first/);
    expect(existsSync(join(tmp(), 'other.html'))).toBe(false);
  });

  it('test results alone; a results file that is not JSON lines is exit 2 naming its line', async () => {
    const lines = [
      { id: 'a', metrics: { success_vote: 1 }, cost: 0.001 },
      { id: 'b', metrics: { success_vote: 0 }, cost: 0.003 },
      { id: 'c', metrics: null, cost: 0, error: 'request failed: 500' },
    ];
    writeFileSync(join(tmp(), 'results.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const c = captureIO({ NO_COLOR: '1' }, tmp());
    expect(await run(['report', '--results', 'results.jsonl', '-o', 'page.html', '--json'], c.io)).toBe(0);
    const r = JSON.parse(c.out()) as { tests: Array<{ metric: string; estimate: number; instances: number; failed: number }> };
    expect(r.tests).toEqual([expect.objectContaining({ metric: 'success_vote', estimate: 0.5, instances: 3, failed: 1 })]);
    expect(readFileSync(join(tmp(), 'page.html'), 'utf8')).toMatch(/<td>3<\/td><td>c<\/td><td>request failed: 500<\/td>/);

    writeFileSync(join(tmp(), 'bad.jsonl'), '{"metrics": {"x": 1}}\nnot json\n');
    const bad = captureIO({ NO_COLOR: '1' }, tmp());
    expect(await run(['report', '--results', 'bad.jsonl', '-o', 'bad.html'], bad.io)).toBe(2);
    expect(bad.err()).toMatch(/bad\.jsonl:2: not a JSON line/);
    const nothing = captureIO({ NO_COLOR: '1' }, tmp());
    expect(await run(['report'], nothing.io)).toBe(2);
    expect(nothing.err()).toMatch(/nothing to report: give a trial log, --results files, or both/);
  });
});
