import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFixtureServer } from '../../fixtures/server/index.mjs';

export type FixtureServer = Awaited<ReturnType<typeof startFixtureServer>>;
export type FixtureOptions = Parameters<typeof startFixtureServer>[0];

/** Start the fixture server for a test file; closes it after all tests. */
export function useFixtureServer(options: FixtureOptions = {}): () => FixtureServer {
  let server: FixtureServer | undefined;
  beforeAll(async () => {
    server = await startFixtureServer(options);
  });
  afterAll(async () => {
    await server?.close();
  });
  return () => {
    if (!server) throw new Error('fixture server not started');
    return server;
  };
}

/** A fresh temporary directory per test, removed afterwards. */
export function useTempDir(prefix = 'autotune-test-'): () => string {
  let dir: string | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (!dir) throw new Error('no temp dir');
    return dir;
  };
}

export const FIXTURE_KEY = 'sk-fixture-secret-key-1234567890';

/** An env that points the default endpoint at the fixture server. */
export function fixtureEnv(server: FixtureServer, extra: Record<string, string> = {}): Record<string, string> {
  return { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: FIXTURE_KEY, ...extra };
}

/** A problem the fixture server knows (from fixtures/data/arith/tune.jsonl). */
export const KNOWN_PROBLEM_FIELD = 'problem';
