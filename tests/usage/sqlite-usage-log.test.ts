import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import {
  CompletionEngine,
  SqliteResponseCache,
  SqliteUsageLog,
  UsageLogger,
  combineSinks,
  openRunContext,
  openUsageLog,
  queryHistory,
  queryUsage,
  type ChatMessage,
  type UsageRecord,
} from '../../src/index.js';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';

const server = useFixtureServer({ apiKeys: [FIXTURE_KEY], retryAfterMs: 20 });
const tmp = useTempDir('autotune-usage-log-');
const SRC_LOG = fileURLToPath(new URL('../../src/usage/sqlite-usage-log.ts', import.meta.url));

beforeEach(() => server().resetStats());

/** A manual timer: flushes happen only when the test fires them. */
function manualTimer() {
  const pending: Array<() => void> = [];
  return {
    schedule: (fn: () => void) => {
      pending.push(fn);
      return () => pending.splice(pending.indexOf(fn), 1);
    },
    fire: () => pending.splice(0).forEach((f) => f()),
    get count() {
      return pending.length;
    },
  };
}

function rec(over: Partial<UsageRecord> = {}): UsageRecord {
  return {
    time: 1_000, model: 'gpt-4', endpoint: 'http://127.0.0.1/v1', config_id: 0, n: 1, prompt_tokens: 10, completion_tokens: 5,
    cost: 0.001, saved: 0, cached: false, latency_ms: 3, outcome: 'ok', attempts: 1, request_key: 'k', ...over,
  };
}

function rowCount(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS c FROM usage').get() as { c: number }).c;
  } finally {
    db.close();
  }
}

describe('SqliteUsageLog batching', () => {
  it('opens lazily, buffers, and writes on the timer, at maxBatch and on close', () => {
    const path = join(tmp(), 'root', 'usage.sqlite');
    const timer = manualTimer();
    const log = new SqliteUsageLog({ path, runId: 'r1', command: 'create', schedule: timer.schedule, maxBatch: 10, exitHook: null });
    expect(existsSync(path)).toBe(false);
    log.record(rec());
    log.record(rec());
    expect(timer.count).toBe(1); // one timer per batch, not per record
    expect(rowCount(path)).toBe(0); // file created on first record, rows not yet written
    timer.fire();
    expect(rowCount(path)).toBe(2);
    for (let i = 0; i < 10; i++) log.record(rec()); // the 10th triggers a flush at once
    expect(rowCount(path)).toBe(12);
    log.record(rec());
    log.close();
    expect(rowCount(path)).toBe(13);
    log.record(rec()); // usable after close: reopens
    log.close();
    expect(rowCount(path)).toBe(14);
  });

  it('a pending flush does not keep the process alive, and the exit hook writes the last batch', () => {
    const path = join(tmp(), 'usage.sqlite');
    const script = `
      const { SqliteUsageLog } = await import(${JSON.stringify(SRC_LOG.replace(/\/src\/(.*)\.ts$/, '/dist/src/$1.js'))});
      const log = new SqliteUsageLog({ path: ${JSON.stringify(path)}, runId: 'child', command: 'tune', flushMs: 60000 });
      for (let i = 0; i < 3; i++) log.record({ time: i, model: 'gpt-4', endpoint: 'e', config_id: 0, n: 1, prompt_tokens: 1, completion_tokens: 1, cost: 0, saved: 0, cached: false, latency_ms: 0, outcome: 'ok', attempts: 1, request_key: 'k' });
    `;
    // killed after 30 s, half the 60 s timer: a status of 0 means the timer did not hold it
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(rowCount(path)).toBe(3);
  });

  it('a killed process keeps every flushed batch and loses only the unflushed one', () => {
    const path = join(tmp(), 'usage.sqlite');
    const script = `
      const { SqliteUsageLog } = await import(${JSON.stringify(SRC_LOG.replace(/\/src\/(.*)\.ts$/, '/dist/src/$1.js'))});
      const log = new SqliteUsageLog({ path: ${JSON.stringify(path)}, runId: 'killed', command: 'tune', flushMs: 60000, maxBatch: 500 });
      for (let i = 0; i < 600; i++) log.record({ time: i, model: 'gpt-4', endpoint: 'e', config_id: 0, n: 1, prompt_tokens: 1, completion_tokens: 1, cost: 0, saved: 0, cached: false, latency_ms: 0, outcome: 'ok', attempts: 1, request_key: 'k' });
      process.kill(process.pid, 'SIGKILL');
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 });
    expect(r.signal).toBe('SIGKILL');
    expect(rowCount(path)).toBe(500);
  });

  it('reports an unwritable location once and never throws into the request path', () => {
    const errors: Error[] = [];
    const file = join(tmp(), 'a-file');
    new Database(file).close();
    const log = new SqliteUsageLog({ path: join(file, 'usage.sqlite'), runId: 'r', command: 'test', exitHook: null, onError: (e) => errors.push(e) });
    expect(() => {
      log.record(rec());
      log.record(rec());
      log.close();
    }).not.toThrow();
    expect(errors).toHaveLength(1);
    expect(errors[0]?.name).toBe('CacheError');
  });
});

describe('SqliteUsageLog against the fixture server', () => {
  function setup(runId: string, command: 'create' | 'test' | 'tune' = 'create', history = true) {
    const log = new SqliteUsageLog({ path: join(tmp(), 'usage.sqlite'), runId, command, seed: '41', history, exitHook: null });
    const logger = new UsageLogger();
    const engine = new CompletionEngine({
      env: fixtureEnv(server()),
      cache: new SqliteResponseCache(join(tmp(), '41', 'cache.sqlite')),
      usage: combineSinks(log, logger),
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
      random: () => 0.5,
    });
    return { log, logger, engine };
  }

  it('totals match the server: paid requests, cost, tokens, cache hits and a retried 429', async () => {
    const { log, engine } = setup('run-a');
    const q = (x: string) => ({ model: 'gpt-3.5-turbo', prompt: `What is ${x}?`, temperature: 1 });
    await engine.create({ params: { ...q('1 + 1'), n: 3 } });
    await engine.create({ params: { ...q('1 + 1'), n: 2 } }); // whole hit
    await engine.create({ params: { ...q('1 + 1'), n: 5 } }); // partial hit: pays for 2
    server().scriptFaults(['429']);
    await engine.create({ params: { model: 'gpt-4', prompt: 'What is 2 + 2?' } }); // retried
    server().scriptFaults(['500', '500']);
    await engine.create({ params: { model: 'gpt-4o-mini', prompt: 'What is 3 + 3?' } });
    const failed = await engine.create({ params: { model: 'no-such-model', prompt: 'x' }, raiseOnFailure: false });
    expect('failed' in failed).toBe(true);
    log.close();
    const stats = server().stats();
    const db = openUsageLog(log.path);
    const r = queryUsage(db!);
    db!.close();
    expect(r.totals.requests).toBe(stats.ok);
    expect(r.totals.cost).toBeCloseTo(stats.cost, 12);
    expect(r.totals.prompt_tokens).toBe(stats.prompt_tokens);
    expect(r.totals.completion_tokens).toBe(stats.completion_tokens);
    expect(r.totals.requests + r.totals.failed).toBe(stats.requests);
    expect(r.totals.cache_hits).toBe(2);
    for (const [model, m] of Object.entries(stats.by_model)) {
      expect(r.by_model[model]).toMatchObject({ requests: m.requests, prompt_tokens: m.prompt_tokens, completion_tokens: m.completion_tokens });
      expect(r.by_model[model]?.cost).toBeCloseTo(m.cost, 12);
    }
    expect(r.failures).toEqual({ rate_limit: 1, server_error: 2, not_found: 1 });
    expect(r.by_model['gpt-3.5-turbo']?.saved).toBeGreaterThan(0);
    expect(r.runs.map((x) => [x.run_id, x.command, x.seed])).toEqual([['run-a', 'create', '41']]);
  });

  it('rebuilds the same compact and full histories as the in-memory logger', async () => {
    const { log, logger, engine } = setup('run-h');
    for (const compact of [true, false]) {
      logger.startLogging({ compact });
      const m1: ChatMessage[] = [{ role: 'user', content: 'What is 6 * 7?' }];
      const r1 = await engine.create({ params: { model: 'gpt-4o', messages: m1 } });
      await engine.create({ params: { model: 'gpt-4o', messages: [...m1, r1.choices[0]?.message as ChatMessage, { role: 'user', content: 'Sure?' }] } });
      await engine.create({ params: { model: 'text-ada-001', prompt: 'Say hi', n: 2 } });
      await engine.create({ params: { model: 'text-ada-001', prompt: 'Say hi', n: 2 } });
      log.flush();
      const db = openUsageLog(log.path)!;
      const fromDb = queryHistory(db, { run: 'run-h', since: compact ? undefined : 0 }, { compact });
      db.close();
      expect(fromDb.history).toEqual(logger.loggedHistory());
      expect(fromDb.calls).toBe(4);
      if (compact) expect(Object.keys(fromDb.history)).toHaveLength(2);
      // reset the DB side for the second round: only calls of this round
      if (compact) {
        const w = new Database(log.path);
        w.exec('DELETE FROM calls');
        w.close();
      }
    }
    log.close();
    const file = new Database(log.path, { readonly: true });
    const bodies = file.prepare('SELECT body FROM bodies').all() as Array<{ body: string }>;
    file.close();
    expect(bodies.length).toBe(3); // one per distinct request body
    expect(JSON.stringify(bodies)).not.toContain(FIXTURE_KEY);
  });

  it('with history off, only the small usage rows are written', async () => {
    const { log, engine } = setup('run-nohist', 'tune', false);
    await engine.create({ params: { model: 'gpt-4o-mini', prompt: 'x' } });
    log.close();
    const db = openUsageLog(log.path)!;
    expect(queryHistory(db, {}).calls).toBe(0);
    expect(queryUsage(db).totals.requests).toBe(1);
    db.close();
  });

  it('openRunContext({ usageLog }) logs under {cachePathRoot}/usage.sqlite next to any other sink, and close() flushes', async () => {
    const root = join(tmp(), 'root');
    const logger = new UsageLogger();
    const ctx = openRunContext({ env: fixtureEnv(server()), cachePathRoot: root, seed: 7, usage: logger, usageLog: { command: 'tune', runId: 'my-run' } });
    await ctx.engine.create({ params: { model: 'gpt-4o-mini', prompt: 'What is 1 + 1?' } });
    await ctx.engine.create({ params: { model: 'gpt-4o-mini', prompt: 'What is 1 + 1?' } });
    expect(ctx.usageLog?.runId).toBe('my-run');
    ctx.close();
    const db = openUsageLog(join(root, 'usage.sqlite'))!;
    const r = queryUsage(db, { run: 'my-run' });
    db.close();
    expect(r.runs).toEqual([expect.objectContaining({ run_id: 'my-run', command: 'tune', seed: '7' })]);
    expect(r.totals).toMatchObject({ requests: 1, cache_hits: 1 });
    expect(logger.usageSummary().by_model['gpt-4o-mini']).toMatchObject({ requests: 1, cache_hits: 1 });
  });
});
