import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { cli } from './reliability-helpers.js';

// Bounded by construction (docs/reliability.md, "Limits"): what a hostile server or file can
// make autotune spend in memory is capped, and each cap is a clear error, not a crash.
const server = useFixtureServer({ apiKeys: [FIXTURE_KEY] });
const tmp = useTempDir('autotune-limits-');
beforeEach(() => server().resetStats());

/** A create config whose one endpoint suffers `fault` on every request; one attempt (retry_timeout: 0). */
function faultyConfig(fault: string, ...extra: string[]): string {
  const lines = ['model: gpt-4o-mini', 'prompt: hi', 'retry_timeout: 0', `config_list: [{base_url: "${server().baseURL}", api_key: "\${OPENAI_API_KEY}", headers: {x-fixture-fault: ${fault}}}]`, ...extra];
  writeFileSync(join(tmp(), 'c.yaml'), `${lines.join('\n')}\n`);
  return 'c.yaml';
}

describe('response bodies are capped: a server error naming the limit, memory bounded', () => {
  it('a gzip bomb (2 GiB inflated) fails the request at the default 16 MiB', async () => {
    const r = await cli(['create', '--config', faultyConfig('gzip-bomb'), '--json'], fixtureEnv(server()), tmp());
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/response body \(decompressed\) is larger than the limit of 16777216 bytes \(max_response_bytes\)/);
    expect(server().stats().errors.gzip_bomb).toBe(1);
  });

  it('a body that never ends fails at max_response_bytes from the config', async () => {
    const r = await cli(['create', '--config', faultyConfig('endless', 'max_response_bytes: 1048576'), '--json'], fixtureEnv(server()), tmp());
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/response body \(as sent\) is larger than the limit of 1048576 bytes \(max_response_bytes\)/);
    expect(server().stats().errors.endless).toBe(1);
  });

  it('max_response_bytes must be a byte count (exit 2, file:line)', async () => {
    const r = await cli(['create', '--config', faultyConfig('ok', 'max_response_bytes: 1.5')], fixtureEnv(server()), tmp());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/c\.yaml:5: max_response_bytes: max_response_bytes must be a whole number of bytes >= 1, got 1\.5/);
  });
});
