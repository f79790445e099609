import { join } from 'node:path';
import Database from 'better-sqlite3';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { COT, TEST_DATA, integrity, killAll, report, spawnCli, usageRows, waitFor, type CliChild, type UsageRow } from './reliability-helpers.js';

// Two `autotune test` processes on the same cache at once: both finish, SQLite never lets a
// SQLITE_BUSY escape, and a request is paid twice only when both processes had it in flight at
// the same moment (a process that finds the answer stored, even while it waited for a slot,
// does not pay for it again).
const ROWS = 120;
const CONCURRENCY = 8;
const server = useFixtureServer({ apiKeys: [FIXTURE_KEY], latencyMs: 10 });
const tmp = useTempDir('autotune-concurrent-');
const children: CliChild[] = [];
afterEach(() => killAll(children));
beforeEach(() => {
  server().resetStats();
  server().setOptions({ latencyMs: 10 });
});

function testRun(root: string, concurrency = CONCURRENCY): CliChild {
  const args = ['test', '--model', 'gpt-3.5-turbo', '--prompt', COT, '-n', '3', '--eval', 'builtin:answer_vote', '--data', TEST_DATA, '--limit', String(ROWS), '--concurrency', String(concurrency), '--cache-path-root', root, '--json'];
  return spawnCli(args, fixtureEnv(server()), tmp(), children);
}

interface Summary {
  instances: number;
  failed: number;
  cost: number;
  cached: number;
}

/**
 * Keys paid by both runs whose requests were not in flight at the same moment: the later one was
 * sent after the earlier one's answer had arrived (5 ms of slack for millisecond timestamps).
 */
function avoidableDuplicates(rows: readonly UsageRow[]): number {
  const paid = new Map<string, UsageRow[]>();
  for (const r of rows) if (r.cached === 0 && r.outcome !== 'failed') paid.set(r.request_key, [...(paid.get(r.request_key) ?? []), r]);
  let avoidable = 0;
  for (const list of paid.values()) {
    for (let i = 1; i < list.length; i++) {
      const [a, b] = [list[i - 1] as UsageRow, list[i] as UsageRow];
      const overlap = a.time - a.latency_ms <= b.time + 5 && b.time - b.latency_ms <= a.time + 5;
      if (!overlap) avoidable++;
    }
  }
  return avoidable;
}

function samplesIn(root: string): number {
  const db = new Database(join(tmp(), root, '41', 'cache.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS c FROM samples').get() as { c: number }).c;
  } finally {
    db.close();
  }
}

function expectClean(r: { code: number | null; out: string; err: string }): Summary {
  expect(r.err).not.toMatch(/SQLITE_BUSY|database is locked|usage log/i);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  const s = JSON.parse(r.out) as Summary;
  expect(s).toMatchObject({ instances: ROWS, failed: 0 });
  return s;
}

describe('two test processes on one cache', () => {
  it('started together: both finish, no SQLITE_BUSY, duplicates only for requests in flight in both at once', async () => {
    const single = expectClean(await testRun('single').done);
    const singleRequests = server().stats().requests;
    expect(singleRequests).toBe(ROWS);

    server().resetStats();
    const [a, b] = [testRun('shared'), testRun('shared')];
    const [ra, rb] = [expectClean(await a.done), expectClean(await b.done)];
    const s = server().stats();
    const rows = usageRows(join(tmp(), 'shared'));
    expect(avoidableDuplicates(rows)).toBe(0);
    expect(s.requests).toBeLessThanOrEqual(2 * singleRequests);
    // what both paid is what the server charged, and every paid sample is in the cache once
    expect(ra.cost + rb.cost).toBeCloseTo(s.cost, 10);
    expect(samplesIn('shared')).toBe(3 * s.ok);
    expect(integrity(join(tmp(), 'shared', '41', 'cache.sqlite'))).toBe('ok');
    expect(integrity(join(tmp(), 'shared', 'usage.sqlite'))).toBe('ok');
    report('two tests at once', { single_requests: singleRequests, both_requests: s.requests, cached_a: ra.cached, cached_b: rb.cached, single_cost: single.cost, both_cost: s.cost });
  });

  it('started half-way through: the second reuses every answer the first has stored, then runs alongside', async () => {
    // slower answers, so the first is still running when the second has started and caught up
    server().setOptions({ latencyMs: 40 });
    const a = testRun('staggered', 4);
    await waitFor(() => server().stats().ok >= ROWS / 2, 20_000, 'half of the rows');
    const storedAtStart = server().stats().ok;
    const b = testRun('staggered', 4);
    const [ra, rb] = [expectClean(await a.done), expectClean(await b.done)];
    const s = server().stats();
    expect(avoidableDuplicates(usageRows(join(tmp(), 'staggered')))).toBe(0);
    // the rows answered before the second started are all served from the cache (less the
    // few the first had received but not yet stored)
    expect(rb.cached).toBeGreaterThanOrEqual(storedAtStart - 2 * 4);
    expect(s.requests).toBeLessThanOrEqual(2 * ROWS - storedAtStart + 2 * 4);
    expect(ra.cost + rb.cost).toBeCloseTo(s.cost, 10);
    report('second test started half-way', { stored_at_start: storedAtStart, requests: s.requests, cached_b: rb.cached });
  });
});
