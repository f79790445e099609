import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startFixtureServer } from '../../fixtures/server/index.mjs';
import { FIXTURE_KEY, useTempDir, type FixtureServer } from '../helpers/fixture.js';
import { cli } from './reliability-helpers.js';

// Two servers that know the same question with different answers: a model of two endpoints
// serving a model of the same name that answer differently (a local server and a hosted one).
const PROBLEM = 'Quilla packs 13 crates of 17 plums and eats 5 of them. How many plums are left?';
let a: FixtureServer;
let b: FixtureServer;
beforeAll(async () => {
  a = await startFixtureServer({ questions: [{ id: 'iso-1', problem: PROBLEM, answer: '216' }] });
  b = await startFixtureServer({ questions: [{ id: 'iso-1', problem: PROBLEM, answer: '4871' }] });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
});
const tmp = useTempDir('autotune-isolation-');

const ARGS = ['create', '--model', 'gpt-4', '--prompt', '{problem} Answer with just the number.', '--var', `problem=${PROBLEM}`, '--temperature', '0', '--json'];
const env = (s: FixtureServer): Record<string, string> => ({ OPENAI_BASE_URL: s.baseURL, OPENAI_API_KEY: FIXTURE_KEY });
const text = (out: string): string => (JSON.parse(out) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content ?? '';

describe('the response cache never serves one endpoint’s answer for another', () => {
  it('create against server A, then against server B (same model, same cache) prints B’s answer, paid at B', async () => {
    const fromA = await cli(ARGS, env(a), tmp());
    expect(fromA.code).toBe(0);
    const fromB = await cli(ARGS, env(b), tmp());
    expect(fromB.code).toBe(0);
    // what B says on its own, with a cache of its own
    mkdirSync(join(tmp(), 'alone'));
    const alone = await cli(ARGS, env(b), join(tmp(), 'alone'));
    expect(text(fromA.out)).toContain('216');
    expect(text(fromB.out)).toBe(text(alone.out));
    expect(text(fromB.out)).toContain('4871');
    expect(JSON.parse(fromB.out)).toMatchObject({ cached: false });
    expect(b.stats().requests).toBe(2);
    // and A's answer is still served to A from the cache
    const againA = await cli(ARGS, env(a), tmp());
    expect(JSON.parse(againA.out)).toMatchObject({ cached: true });
    expect(text(againA.out)).toBe(text(fromA.out));
    expect(a.stats().requests).toBe(1);
  });

  it('an Azure endpoint’s api_version is part of the key', async () => {
    const list = (v: string): string => JSON.stringify([{ base_url: a.url, api_type: 'azure', api_version: v, api_key: '${OPENAI_API_KEY}' }]);
    const azure = ['create', '--model', 'gpt-35-turbo', '--prompt', 'hi', '--json'];
    a.resetStats();
    const first = await cli(azure, { OPENAI_API_KEY: FIXTURE_KEY, OAI_CONFIG_LIST: list('2024-06-01') }, tmp());
    const other = await cli(azure, { OPENAI_API_KEY: FIXTURE_KEY, OAI_CONFIG_LIST: list('2024-10-21') }, tmp());
    const same = await cli(azure, { OPENAI_API_KEY: FIXTURE_KEY, OAI_CONFIG_LIST: list('2024-06-01') }, tmp());
    expect([first.code, other.code, same.code]).toEqual([0, 0, 0]);
    expect([JSON.parse(first.out).cached, JSON.parse(other.out).cached, JSON.parse(same.out).cached]).toEqual([false, false, true]);
    expect(a.stats().requests).toBe(2);
  });

  it('a cache written before endpoints were in the key is not reused (schema 2 empties it)', async () => {
    // a cache of schema 1 holding one sample under some key
    const dir = join(tmp(), '.cache', '41');
    mkdirSync(dir, { recursive: true });
    const db = new Database(join(dir, 'cache.sqlite'));
    db.exec(`CREATE TABLE requests (key TEXT PRIMARY KEY, request TEXT NOT NULL, created_at INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE samples (key TEXT NOT NULL, idx INTEGER NOT NULL, model TEXT NOT NULL, prompt_tokens INTEGER NOT NULL,
        completion_tokens INTEGER NOT NULL, choice TEXT NOT NULL, PRIMARY KEY (key, idx)) WITHOUT ROWID;
      INSERT INTO samples VALUES ('old-key', 0, 'gpt-4', 10, 5, '{"message":{"role":"assistant","content":"old"}}');
      PRAGMA user_version = 1;`);
    db.close();
    const r = await cli(ARGS, env(a), tmp());
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/cache .*cache\.sqlite.* written before .*endpoint.*1 stored sample.* removed, not reused/i);
    const after = new Database(join(dir, 'cache.sqlite'), { readonly: true });
    try {
      expect(after.pragma('user_version', { simple: true })).toBe(2);
      expect(after.prepare("SELECT COUNT(*) AS c FROM samples WHERE key = 'old-key'").get()).toEqual({ c: 0 });
    } finally {
      after.close();
    }
  });
});
