import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { writeTuneConfig } from '../tune/tune-helpers.js';
import { DIRECT, TEST_DATA, cli, filesContaining, filesUnder, reliabilityTuneYaml } from './reliability-helpers.js';

// API keys (and credential headers) never reach the cache, the usage log, the trial log, the
// saved best config, --json output or error messages: every file written under the temp dir
// and every byte of stdout/stderr is searched, for tune, test and create, with a 401 endpoint
// and with an endpoint whose error messages echo the request headers back.
const LITERAL = 'sk-literal-in-config-5551234567';
const WRONG = 'sk-wrong-key-in-env-0987654321';
const ECHO_KEY = 'sk-echoed-by-a-proxy-1122334455';
const GATEWAY = 'gw-token-secret-99887766554433';
const SECRETS = [FIXTURE_KEY, LITERAL, WRONG, ECHO_KEY, GATEWAY];

const server = useFixtureServer({ apiKeys: [FIXTURE_KEY, LITERAL], latencyMs: 2 });
const tmp = useTempDir('autotune-secrets-');
beforeEach(() => server().resetStats());

/** A gateway that rejects every request with a message quoting the headers it got (some do). */
let echo: Server;
let echoURL = '';
beforeAll(async () => {
  echo = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const headers = Object.entries(req.headers)
        .map(([k, v]) => `${k}: ${String(v)}`)
        .join(', ');
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `Bad request to the gateway. Headers received: ${headers}`, type: 'invalid_request_error', param: null, code: null } }));
    });
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', () => resolve()));
  const addr = echo.address();
  echoURL = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/v1`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => echo.close(() => resolve()));
});

const env = () => fixtureEnv(server(), { WRONG_API_KEY: WRONG, ECHO_API_KEY: ECHO_KEY, GATEWAY_TOKEN: GATEWAY });
const echoEntry = () => `{base_url: "${echoURL}", api_key: "\${ECHO_API_KEY}", headers: {X-Gateway-Token: "\${GATEWAY_TOKEN}", x-portkey-provider: openai}}`;
const wrongEntry = () => `{base_url: "${server().baseURL}", api_key: "\${WRONG_API_KEY}"}`;
const goodEntry = () => `{base_url: "${server().baseURL}", api_key: "\${OPENAI_API_KEY}"}`;

/** Every secret found in the outputs or in a file written under the temp dir (the inputs excepted). */
function leaks(outputs: string[], inputs: string[]): string[] {
  const found: string[] = [];
  for (const secret of SECRETS) {
    outputs.forEach((o, i) => {
      if (o.includes(secret)) found.push(`${secret} in output #${i}`);
    });
    for (const f of filesContaining(tmp(), secret)) if (!inputs.includes(f)) found.push(`${secret} in ${f.slice(tmp().length + 1)}`);
  }
  return found;
}

describe('secrets never leave the environment', () => {
  it('tune, test and create, with a literal key in the config, a 401 endpoint and a header-echoing one', async () => {
    const outputs: string[] = [];
    const keep = <R extends { out: string; err: string }>(r: R): R => {
      outputs.push(r.out, r.err);
      return r;
    };
    // tune: the first endpoint echoes headers, the second rejects the key, the third has a literal key
    const tuneFile = writeTuneConfig(
      tmp(),
      reliabilityTuneYaml({ log_file: 'log.jsonl', config_list: `[${echoEntry()}, ${wrongEntry()}, {base_url: "${server().baseURL}", api_key: "${LITERAL}"}]` }),
    );
    const tuned = keep(await cli(['tune', tuneFile, '--output', 'best.yaml', '--json'], env(), tmp()));
    expect(tuned.code).toBe(0);
    expect(tuned.err).toMatch(/config 0 .* failed \(bad_request: 400 .*Headers received: .*authorization: Bearer \*\*\*/);
    // only secrets are hidden: the gateway's provider header (its name holds "portkey") prints as is
    expect(tuned.err).toMatch(/x-gateway-token: \*\*\*/);
    expect(tuned.err).toMatch(/x-portkey-provider: openai/);
    keep(await cli(['tune', tuneFile], env(), tmp())); // the table, from the cache

    // test: the saved config with a config list of the echoing, the 401 and the good endpoint
    writeFileSync(join(tmp(), 'list.yaml'), `[${echoEntry()}, ${wrongEntry()}, ${goodEntry()}]\n`);
    const tested = keep(await cli(['test', '--config', 'best.yaml', '--config-list', 'list.yaml', '--data', TEST_DATA, '--limit', '20', '--results', 'out.jsonl', '--json'], env(), tmp()));
    expect(tested.code).toBe(0);
    expect(tested.err).toMatch(/config 1 .* failed \(auth: 401/);
    // every endpoint failing: the error lists each failure, with the echoed headers redacted
    writeFileSync(join(tmp(), 'bad.yaml'), `[${echoEntry()}, ${wrongEntry()}]\n`);
    const failing = keep(await cli(['test', '--model', 'gpt-4o-mini', '--prompt', DIRECT, '--eval', 'builtin:answer_vote', '--config-list', 'bad.yaml', '--data', TEST_DATA, '--limit', '3', '--results', 'failed.jsonl', '--json'], env(), tmp()));
    expect(failing.code).toBe(1);
    expect(failing.out).toMatch(/Headers received/);

    // create: text and --json, a failing one, and one with usage history (create keeps it)
    keep(await cli(['create', '--model', 'gpt-4o-mini', '--prompt', DIRECT, '--var', 'problem=What is 6 * 7?', '--config-list', 'list.yaml'], env(), tmp()));
    keep(await cli(['create', '--model', 'gpt-4o-mini', '--prompt', DIRECT, '--var', 'problem=What is 6 * 8?', '--config-list', 'list.yaml', '--json'], env(), tmp()));
    const createFailed = keep(await cli(['create', '--model', 'gpt-4o-mini', '--prompt', 'hi', '--config-list', 'bad.yaml', '--json'], env(), tmp()));
    expect(createFailed.code).toBe(1);
    expect(createFailed.err).toMatch(/every endpoint in config_list failed:[\s\S]*Headers received: [\s\S]*config 1 .*auth 401/);
    keep(await cli(['usage', '--json'], env(), tmp()));
    keep(await cli(['usage', '--history', '--full', '--json'], env(), tmp()));

    // the files written: cache, usage log (WAL included), trial log, best config, results
    const written = filesUnder(tmp()).map((f) => f.slice(tmp().length + 1));
    expect(written).toEqual(expect.arrayContaining(['best.yaml', 'log.jsonl', 'out.jsonl', 'failed.jsonl', '.cache/usage.sqlite', '.cache/41/cache.sqlite']));
    expect(leaks(outputs, [tuneFile])).toEqual([]);
    // the user's own tune.yaml holds the literal key; the saved config leaves it out
    expect(filesContaining(tmp(), LITERAL)).toEqual([tuneFile]);
  });
});
