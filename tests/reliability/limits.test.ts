import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { DIRECT, TEST_DATA, TUNE_DATA, cli, killAll, spawnCli, type CliChild } from './reliability-helpers.js';

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

describe('a damaged cache.sqlite: exit 2 naming the file and what to do, not blamed on the endpoint', () => {
  const cacheFile = (): string => join(tmp(), '.cache', '41', 'cache.sqlite');
  const TEST = ['test', '--model', 'gpt-4o-mini', '--prompt', DIRECT, '--eval', 'builtin:answer_vote', '--data', TEST_DATA, '--n', '3'];
  const expectDamaged = (r: { code: number; out: string; err: string }): void => {
    expect(r.err).toContain(`${cacheFile()}: the file is damaged: SQLite cannot read it as a database`);
    expect(r.err).toMatch(/hint: delete it and run again: rm .*cache\.sqlite\*/);
    expect(r.err).not.toMatch(/internal error|config_list|endpoint in|a bug/);
    expect(r.code).toBe(2);
  };

  it('garbage bytes in place of the file (create, test and tune)', async () => {
    mkdirSync(dirname(cacheFile()), { recursive: true });
    writeFileSync(cacheFile(), Buffer.alloc(20_000, 0xa5));
    expectDamaged(await cli(['create', '--model', 'gpt-4o-mini', '--prompt', 'hi'], fixtureEnv(server()), tmp()));
    expectDamaged(await cli([...TEST, '--limit', '3'], fixtureEnv(server()), tmp()));
    writeFileSync(join(tmp(), 't.yaml'), [`data: ${JSON.stringify(TUNE_DATA)}`, 'eval: builtin:answer_vote', 'metric: success_vote', 'inference_budget: 0.001', 'num_samples: 2', 'search_space:', '  model: gpt-4o-mini', `  prompt: "${DIRECT}"`, ''].join('\n'));
    expectDamaged(await cli(['tune', 't.yaml'], fixtureEnv(server()), tmp()));
  });

  it('a file whose pages past the schema are garbage (found on the first read, mid-run)', async () => {
    expect((await cli(TEST, fixtureEnv(server()), tmp())).code).toBe(0);
    const size = statSync(cacheFile()).size;
    expect(size).toBeGreaterThan(4 * 4096);
    const fd = openSync(cacheFile(), 'r+');
    writeSync(fd, Buffer.alloc(size - 3 * 4096, 0xa5), 0, size - 3 * 4096, 3 * 4096);
    closeSync(fd);
    for (const side of ['-wal', '-shm']) rmSync(cacheFile() + side, { force: true });
    expectDamaged(await cli(TEST, fixtureEnv(server()), tmp()));
  });
});

describe('disk full: a clear error naming the file (exit 2), and the trial log stays whole', () => {
  it('test --results /dev/full (every write fails with ENOSPC)', async () => {
    const r = await cli(['test', '--model', 'gpt-4o-mini', '--prompt', DIRECT, '--eval', 'builtin:answer_vote', '--data', TEST_DATA, '--limit', '3', '--results', '/dev/full'], fixtureEnv(server()), tmp());
    expect(r.err).toMatch(/error: \/dev\/full: cannot write the output: the disk is full\n  hint: free some space/);
    expect(r.err).not.toMatch(/internal error|a bug/);
    expect(r.code).toBe(2);
  });

  // A small tmpfs holds the trial log; mounting one needs root (and a kernel that allows it).
  const tmpfs = mountTmpfs();
  (tmpfs.ok ? it : it.skip)(`tune with its log on a full disk (a 1 MiB tmpfs, 16 KiB of it free)${tmpfs.ok ? '' : `: SKIPPED, ${tmpfs.why}`}`, async () => {
    const dir = tmpfs.mount(tmp());
    try {
      const log = join(dir, 'log.jsonl');
      writeFileSync(join(tmp(), 't.yaml'), [`data: ${JSON.stringify(TUNE_DATA)}`, 'eval: builtin:answer_vote', 'metric: success_vote', 'inference_budget: 0.002', 'optimization_budget: 0.05', `log_file: ${JSON.stringify(log)}`, 'search_space:', '  model: gpt-4o-mini', `  prompt: "${DIRECT}"`, '  n: {randint: [1, 5]}', '  max_tokens: {randint: [20, 200]}', ''].join('\n'));
      // leave 16 KiB (tmpfs counts 4 KiB pages; the log's lock takes one): some dozens of log
      // lines fit, then the disk is full mid-run
      writeFileSync(join(dir, 'filler'), Buffer.alloc(1024 * 1024 - 16 * 1024));
      const r = await cli(['tune', 't.yaml', '--json'], fixtureEnv(server()), tmp());
      expect(r.err).toContain(`${log}: cannot write the trial log: the disk is full`);
      expect(r.err).not.toMatch(/internal error|a bug/);
      expect(r.code).toBe(2);
      const text = readFileSync(log, 'utf8');
      expect(text.length).toBeGreaterThan(4096); // lines were written before the disk filled up
      expect(text.endsWith('\n')).toBe(true);
      for (const line of text.trimEnd().split('\n')) expect(() => JSON.parse(line) as unknown).not.toThrow();
      // with room again, the tune resumes from the whole log
      rmSync(join(dir, 'filler'));
      const again = await cli(['tune', 't.yaml', '--json'], fixtureEnv(server()), tmp());
      expect(again.err).toMatch(/^note: earlier runs of this tune spent/);
      expect(again.code).toBe(0);
    } finally {
      tmpfs.unmount(dir);
    }
  }, 120_000);
});

/** Whether this process may mount a tmpfs (root, and a kernel that lets it), and how. */
function mountTmpfs(): { ok: boolean; why: string; mount: (parent: string) => string; unmount: (dir: string) => void } {
  const mount = (parent: string): string => {
    const dir = join(parent, 'small-disk');
    mkdirSync(dir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
    return dir;
  };
  const unmount = (dir: string): void => void execFileSync('umount', [dir]);
  if (process.getuid?.() !== 0) return { ok: false, why: 'not root (mounting a tmpfs needs root)', mount, unmount };
  const probe = mkdtempSync(join(tmpdir(), 'autotune-tmpfs-probe-'));
  try {
    unmount(mount(probe));
    return { ok: true, why: '', mount, unmount };
  } catch (err) {
    return { ok: false, why: `mount -t tmpfs failed (${(err as Error).message.split('\n')[0]})`, mount, unmount };
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

describe('debug modes: never on stdout, never a credential', () => {
  const children: CliChild[] = [];
  afterEach(() => killAll(children));
  const GATEWAY = 'gw-secret-token-0123456789';
  const LIST = (): string => `[{base_url: "${server().baseURL}", api_key: "\${OPENAI_API_KEY}", headers: {X-Api-Key: "${GATEWAY}", x-portkey-provider: openai}}]`; // a literal credential header: known only from the config

  it.each([
    ['OPENAI_LOG=debug', { OPENAI_LOG: 'debug' }, /openai debug: /],
    ['NODE_DEBUG=http', { NODE_DEBUG: 'http' }, /HTTP \d+: /],
  ])('%s: test --json and tune --json print one JSON object on stdout; the key is nowhere', async (_name, debugEnv, debugLine) => {
    writeFileSync(join(tmp(), 'list.yaml'), `${LIST()}\n`);
    writeFileSync(join(tmp(), 't.yaml'), [`data: ${JSON.stringify(TUNE_DATA)}`, 'eval: builtin:answer_vote', 'metric: success_vote', 'inference_budget: 0.001', 'num_samples: 2', `config_list: ${LIST()}`, 'search_space:', '  model: gpt-4o-mini', `  prompt: "${DIRECT}"`, ''].join('\n'));
    const env = { ...fixtureEnv(server()), ...debugEnv };
    for (const args of [
      ['test', '--model', 'gpt-4o-mini', '--prompt', DIRECT, '--eval', 'builtin:answer_vote', '--data', TEST_DATA, '--limit', '3', '--config-list', 'list.yaml', '--json'],
      ['tune', 't.yaml', '--json'],
    ]) {
      const done = await spawnCli(args, env, tmp(), children).done;
      expect(done.code).toBe(0);
      expect(done.out.trim().split('\n')).toHaveLength(1);
      expect(JSON.parse(done.out)).toEqual(expect.any(Object));
      expect(done.err).toMatch(debugLine); // the debug output is there, on stderr
      expect(done.err).toMatch(/'x-api-key': '\*\*\*'/); // request headers were printed, redacted
      for (const text of [done.out, done.err]) {
        expect(text).not.toContain(FIXTURE_KEY);
        expect(text).not.toContain(GATEWAY);
        expect(text).not.toMatch(/Bearer sk-/);
      }
    }
  }, 120_000);
});
