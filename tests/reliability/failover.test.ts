import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { writeTuneConfig } from '../tune/tune-helpers.js';
import { DIRECT, TEST_DATA, cli, closedPort, failuresByKind, reliabilityTuneYaml, report, usageRows } from './reliability-helpers.js';

// The first endpoint of config_list is down (connection refused) or rejects the key (401): the
// calls go to the next endpoint, the results are those of the good endpoint alone, and stderr
// says so once for the whole run, not once per call.
const server = useFixtureServer({ apiKeys: [FIXTURE_KEY], latencyMs: 5 });
const tmp = useTempDir('autotune-failover-');
const WRONG = 'sk-wrong-key-0000000000000';

beforeEach(() => server().resetStats());

type Broken = 'down' | '401';

async function firstEndpoint(kind: Broken): Promise<string> {
  return kind === 'down' ? `{base_url: "http://127.0.0.1:${await closedPort()}/v1", api_key: "\${OPENAI_API_KEY}"}` : `{base_url: "${server().baseURL}", api_key: "\${WRONG_KEY}"}`;
}

function good(): string {
  return `{base_url: "${server().baseURL}", api_key: "\${OPENAI_API_KEY}"}`;
}

/** stderr lines that mention config 0. */
function aboutFirst(err: string): string[] {
  return err.split('\n').filter((l) => l.includes('config 0'));
}

describe.each<Broken>(['down', '401'])('failover when the first endpoint is %s', (kind) => {
  const env = () => fixtureEnv(server(), { WRONG_KEY: WRONG });

  it('test: every call is answered by the next endpoint, the metrics are the good endpoint\'s, and stderr says so once', async () => {
    writeFileSync(join(tmp(), 'list.yaml'), `[${await firstEndpoint(kind)}, ${good()}]\n`);
    writeFileSync(join(tmp(), 'good.yaml'), `[${good()}]\n`);
    const args = ['test', '--model', 'gpt-4o-mini', '--prompt', DIRECT, '--eval', 'builtin:answer_vote', '--data', TEST_DATA, '--limit', '60', '--concurrency', '8', '--json', '--results', 'out.jsonl'];
    const alone = await cli([...args, '--config-list', 'good.yaml', '--cache-path-root', 'alone'], env(), tmp());
    expect(alone.code).toBe(0);

    server().resetStats();
    const r = await cli([...args, '--config-list', 'list.yaml', '--cache-path-root', 'failover'], env(), tmp());
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(JSON.parse(alone.out));
    const lines = aboutFirst(r.err);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(kind === 'down' ? /config 0 \(http:\/\/127\.0\.0\.1:\d+\/v1\) is down \(connection error \(ECONNREFUSED\)\)/ : /config 0 .* failed \(auth: 401 .*\); trying the next endpoint/);
    expect(r.err.split('\n').filter((l) => l.trim() !== '')).toEqual(lines); // nothing else on stderr

    const rows = usageRows(join(tmp(), 'failover'));
    const answered = rows.filter((u) => u.outcome !== 'failed');
    expect(answered).toHaveLength(60);
    expect(answered.every((u) => u.config_id === 1)).toBe(true);
    const failed = rows.filter((u) => u.outcome === 'failed');
    expect(failed.every((u) => u.config_id === 0)).toBe(true);
    expect(failuresByKind(rows)).toEqual(kind === 'down' ? { connection: failed.length } : { auth: failed.length });
    // a refused endpoint (or key) is marked down: only the calls already on their way meet it
    expect(failed.length).toBeLessThanOrEqual(2 * 8);
    report(`failover test (${kind})`, { attempts_on_config_0: failed.length, calls: 60 });
  });

  it('tune: the same best config as with the good endpoint alone, and stderr says so once', async () => {
    const alone = await cli(['tune', writeTuneConfig(tmp(), reliabilityTuneYaml({ config_list: `[${good()}]` }), 'alone.yaml'), '--json', '--cache-path-root', 'alone'], env(), tmp());
    expect(alone.code).toBe(0);

    server().resetStats();
    const file = writeTuneConfig(tmp(), reliabilityTuneYaml({ config_list: `[${await firstEndpoint(kind)}, ${good()}]` }), 'failover.yaml');
    const r = await cli(['tune', file, '--json', '--cache-path-root', 'failover'], env(), tmp());
    expect(r.code).toBe(0);
    const a = JSON.parse(alone.out) as Record<string, unknown>;
    const b = JSON.parse(r.out) as Record<string, unknown>;
    expect({ config: b.best_config, result: b.best_result, trials: b.trials }).toEqual({ config: a.best_config, result: a.best_result, trials: a.trials });
    expect(b.optimization_cost).toBeCloseTo(server().stats().cost, 10);
    const lines = aboutFirst(r.err);
    expect(lines).toHaveLength(1);
    expect(r.err.split('\n').filter((l) => l.trim() !== '')).toEqual(lines);
  });
});
