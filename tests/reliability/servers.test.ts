import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { readJsonl, tuneYaml, writeTuneConfig } from '../tune/tune-helpers.js';
import { DIRECT, TEST_DATA, cli, killAll, report, spawnCli, type CliChild } from './reliability-helpers.js';

// Every command against the fixture's imitations of real servers (fixtures/README.md, "Quirks"):
// llama-server (n capped with a 400, usage of the first choice only), Ollama (n ignored), a server
// without usage, one with non-numeric usage, gateways with their own error bodies. /stats is the
// truth for money: the fixture counts the real tokens whatever the answer's usage says.
const server = useFixtureServer({});
const tmp = useTempDir('autotune-servers-');
const children: CliChild[] = [];
beforeEach(() => server().resetStats());
afterEach(() => killAll(children));

const env = (extra: Record<string, string> = {}) => fixtureEnv(server(), extra);
const entry = (quirks: string, extra = '') => `{base_url: "${server().url}/${quirks}/v1", api_key: "\${OPENAI_API_KEY}"${extra}}`;

/** A small tune over n and temperature for one model and prompt, against one endpoint. */
function smallTune(configList: string, extra: Record<string, string> = {}, n = '{randint: [1, 10]}'): string {
  return tuneYaml(
    { inference_budget: '', optimization_budget: '0.05', num_samples: '6', prices: '{gpt-3.5-turbo: [0.0015, 0.002]}', config_list: `[${configList}]`, request_timeout: '5', retry_timeout: '5', ...extra },
    ['search_space:', '  model: gpt-3.5-turbo', `  prompt: ${JSON.stringify(DIRECT)}`, '  temperature: {uniform: [0.2, 1]}', '  max_tokens: 20', `  n: ${n}`].join('\n'),
  );
}

interface UsageLogRow {
  n: number;
  cost: number;
  outcome: string;
  error: string | null;
  error_message: string | null;
  estimated: number;
}
function usageLog(dir: string): UsageLogRow[] {
  const db = new Database(join(dir, '.cache/usage.sqlite'), { readonly: true });
  try {
    return db.prepare('SELECT n, cost, outcome, error, error_message, estimated FROM usage WHERE cached = 0 ORDER BY id').all() as UsageLogRow[];
  } finally {
    db.close();
  }
}

describe('llama-server: n capped at its slots with a 400, usage of the first choice only', () => {
  it('the endless-tune case: n up to 10 succeeds by splitting requests, learnt once; spend follows the real tokens', async () => {
    const file = writeTuneConfig(tmp(), smallTune(entry('llama-server')));
    const r = await cli(['tune', file, '--json'], env(), tmp());
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { best_config: { n: number }; total_spend: number; stop_reason: string; estimated_spend?: number };
    expect(out.best_config.n).toBeGreaterThanOrEqual(1);
    expect(r.err).toMatch(/gives at most 4 samples per request for gpt-3\.5-turbo \(asked for \d+: it answered 400 Field 'n': Value must be between 1 <= value <= 4/);
    const stats = server().stats();
    // no answer ever held more than the server's 4, and the limit was learnt from the first refusals only
    expect(stats.log.filter((e) => e.status === 200).every((e) => e.choices <= 4)).toBe(true);
    expect(stats.errors.bad_request).toBeGreaterThan(0);
    expect(stats.errors.bad_request).toBeLessThanOrEqual(8); // at most the requests in flight when it was learnt
    // the first-choice usage is contradicted by the choices: charged the larger count, not ~1/n of it
    expect(out.estimated_spend).toBeGreaterThan(0);
    expect(out.total_spend).toBeGreaterThanOrEqual(stats.cost * 0.9);
    expect(out.total_spend).toBeLessThanOrEqual(0.05);
    expect(r.err).toMatch(/the answer reports completion_tokens \d+ for \d+ choice\(s\)/);
    report('llama-server tune', { requests: stats.requests, refused_for_n: stats.errors.bad_request, best_n: out.best_config.n, spend: out.total_spend, server_cost: stats.cost });
  });

  it('create -n 10 and test -n 6 draw all their samples', async () => {
    writeFileSync(join(tmp(), 'list.yaml'), `[${entry('llama-server')}]\n`);
    const created = await cli(['create', '--model', 'gpt-3.5-turbo', '--prompt', DIRECT, '--var', 'problem=What is 6 * 7?', '-n', '10', '--config-list', 'list.yaml', '--json'], env(), tmp());
    expect(created.code).toBe(0);
    expect(JSON.parse(created.out).choices).toHaveLength(10);
    const tested = await cli(['test', '--model', 'gpt-3.5-turbo', '--prompt', DIRECT, '--eval', 'builtin:answer_vote', '-n', '6', '--data', TEST_DATA, '--limit', '4', '--config-list', 'list.yaml', '--results', 'out.jsonl', '--json'], env(), tmp());
    expect(tested.code).toBe(0);
    for (const line of readJsonl(join(tmp(), 'out.jsonl'))) expect(line.responses).toHaveLength(6);
  });

  it('the extra requests run in parallel through the pool, and the cache keeps its samples: n=10 again is free, n=12 pays for 2', async () => {
    // 100 ms per answer: requests sent one after another would never overlap
    writeFileSync(join(tmp(), 'list.yaml'), `[${entry('n-max=2', ', headers: {x-fixture-latency-ms: "100"}')}]\n`);
    const args = ['create', '--model', 'gpt-4o-mini', '--prompt', DIRECT, '--var', 'problem=What is 4 * 4?', '--config-list', 'list.yaml', '--json'];
    const first = await cli([...args, '-n', '10'], env(), tmp());
    expect(first.code).toBe(0);
    const stats = server().stats();
    expect(stats.ok).toBe(5);
    expect(stats.max_in_flight).toBeGreaterThan(1);
    const again = await cli([...args, '-n', '10'], env(), tmp());
    expect(JSON.parse(again.out)).toMatchObject({ cached: true, cached_choices: 10 });
    expect(JSON.parse(again.out).choices.map((c: { message: unknown }) => c.message)).toEqual(JSON.parse(first.out).choices.map((c: { message: unknown }) => c.message));
    expect(server().stats().ok).toBe(5);
    const more = await cli([...args, '-n', '12'], env(), tmp());
    expect(JSON.parse(more.out)).toMatchObject({ cached: false, cached_choices: 10 });
    expect(JSON.parse(more.out).choices).toHaveLength(12);
    expect(server().stats().log.at(-1)).toMatchObject({ n: 2, choices: 2, status: 200 });
    expect(server().stats().ok).toBe(6);
  });
});

describe('Ollama: n ignored (one choice whatever n)', () => {
  it('create, test and tune get n real samples, each paid for', async () => {
    writeFileSync(join(tmp(), 'list.yaml'), `[${entry('ollama')}]\n`);
    const created = await cli(['create', '--model', 'gpt-3.5-turbo', '--prompt', DIRECT, '--var', 'problem=What is 6 * 8?', '-n', '3', '--config-list', 'list.yaml', '--json'], env(), tmp());
    expect(created.code).toBe(0);
    expect(JSON.parse(created.out).choices).toHaveLength(3);
    expect(created.err).toMatch(/gives at most 1 sample per request for gpt-3\.5-turbo \(asked for 3: it returned 1 choice\)/);
    expect(server().stats().log.map((e) => [e.n, e.choices])).toEqual([[3, 1], [1, 1], [1, 1]]);

    server().resetStats();
    const file = writeTuneConfig(tmp(), smallTune(entry('ollama'), { output: '' }, '{randint: [3, 5]}'));
    const tuned = await cli(['tune', file, '--output', 'best.yaml', '--json'], env(), tmp());
    expect(tuned.code).toBe(0);
    const best = JSON.parse(tuned.out) as { best_config: { n: number }; total_spend: number };
    expect(best.best_config.n).toBeGreaterThanOrEqual(3);
    const stats = server().stats();
    expect(stats.log.filter((e) => e.status === 200).every((e) => e.choices === 1)).toBe(true);
    // every sample was a paid request: the spend is the server's to the cent
    expect(best.total_spend).toBeCloseTo(stats.cost, 6);

    // the tuned n, tested on fresh samples (another cache seed): n responses per row, n requests each
    server().resetStats();
    const tested = await cli(['test', '--config', 'best.yaml', '--config-list', 'list.yaml', '--data', TEST_DATA, '--limit', '5', '--seed', '7', '--results', 'out.jsonl', '--json'], env(), tmp());
    expect(tested.code).toBe(0);
    for (const line of readJsonl(join(tmp(), 'out.jsonl'))) expect(line.responses).toHaveLength(best.best_config.n);
    expect(server().stats().ok).toBe(5 * best.best_config.n);
    expect(JSON.parse(tested.out).cost).toBeCloseTo(server().stats().cost, 6);
  });
});

describe('no usage in the answers', () => {
  it('tune: the spend never passes the budget by more than the estimate is off; estimated costs are marked', async () => {
    const budget = 0.01;
    const file = writeTuneConfig(tmp(), tuneYaml({ optimization_budget: String(budget), num_samples: '-1', config_list: `[${entry('no-usage')}]` }));
    const r = await cli(['tune', file, '--json'], env(), tmp());
    expect([0, 1]).toContain(r.code);
    const out = JSON.parse(r.out) as { total_spend: number; estimated_spend: number; stop_reason: string };
    const stats = server().stats();
    expect(stats.ok).toBeGreaterThan(0);
    expect(out.total_spend).toBeLessThanOrEqual(budget);
    expect(out.estimated_spend).toBeCloseTo(out.total_spend, 9);
    // OpenAI's tokenizer and the server's count differ by a little: never by more than 15%
    expect(stats.cost).toBeLessThanOrEqual(budget * 1.15);
    expect(Math.abs(out.total_spend - stats.cost) / stats.cost).toBeLessThan(0.15);
    expect(r.err).toMatch(/no usage in the answer: counted with the model's tokenizer; costs from this endpoint are marked estimated/);
    const rows = usageLog(tmp()).filter((row) => row.outcome !== 'failed');
    expect(rows.length).toBe(stats.ok);
    expect(rows.every((row) => row.estimated === 1)).toBe(true);
    const usage = await cli(['usage'], env(), tmp());
    expect(usage.out).toMatch(/of the paid total is estimated/);
    report('no-usage tune', { budget, spend: out.total_spend, server_cost: stats.cost, answers: stats.ok, stop: out.stop_reason });
  });

  it('create and test say so', async () => {
    writeFileSync(join(tmp(), 'list.yaml'), `[${entry('no-usage')}]\n`);
    const created = await cli(['create', '--model', 'gpt-4o-mini', '--prompt', DIRECT, '--var', 'problem=What is 2 * 21?', '--config-list', 'list.yaml', '--json'], env(), tmp());
    expect(created.code).toBe(0);
    expect(JSON.parse(created.out)).toMatchObject({ usage_estimated: true });
    const tested = await cli(['test', '--model', 'gpt-4o-mini', '--prompt', DIRECT, '--eval', 'builtin:answer_vote', '--data', TEST_DATA, '--limit', '3', '--config-list', 'list.yaml'], env(), tmp());
    expect(tested.code).toBe(0);
    expect(tested.out).toMatch(/of it estimated/);
  });
});

describe('usage that is not numbers', () => {
  it('is charged at the worst case, said on stderr and in the log; the spend stays a number under the budget', async () => {
    writeFileSync(join(tmp(), 'list.yaml'), `[${entry('hostile-usage')}]\n`);
    const created = await cli(['create', '--model', 'gpt-4o-mini', '--prompt', DIRECT, '--var', 'problem=What is 3 * 5?', '--max-tokens', '50', '--config-list', 'list.yaml', '--json'], env(), tmp());
    expect(created.code).toBe(0);
    expect(JSON.parse(created.out)).toMatchObject({ usage_estimated: true, usage: { completion_tokens: 50 } });
    expect(created.err).toMatch(/usage holds completion_tokens "n\/a": charged at the worst case the request allowed/);

    const budget = 0.02;
    const file = writeTuneConfig(tmp(), tuneYaml({ optimization_budget: String(budget), num_samples: '-1', config_list: `[${entry('hostile-usage')}]` }));
    const r = await cli(['tune', file, '--json'], env(), tmp());
    const out = JSON.parse(r.out) as { total_spend: number | null };
    expect(typeof out.total_spend).toBe('number');
    expect(out.total_spend).toBeLessThanOrEqual(budget);
    expect(server().stats().cost).toBeLessThanOrEqual(budget); // the worst case is never below the truth
    const rows = usageLog(tmp()).filter((row) => row.outcome !== 'failed');
    expect(rows.length).toBe(server().stats().ok);
    expect(rows.every((row) => Number.isFinite(row.cost) && row.estimated === 1)).toBe(true);
  });
});

describe('failures stop a tune', () => {
  it('a gateway whose budget runs out mid-tune: the tune ends with its message, exit 1, no loop', async () => {
    const file = writeTuneConfig(tmp(), smallTune(entry('budget=0.0005'), { num_samples: '-1', optimization_budget: '1' }));
    const r = await cli(['tune', file, '--output', 'best.yaml', '--json'], env(), tmp());
    expect(r.code).toBe(1);
    const out = JSON.parse(r.out) as { stop_reason: string; error: string };
    expect(out.stop_reason).toBe('failures');
    expect(out.error).toMatch(/trials failed; the last one: .*400 Budget has been exceeded! Current cost: [\d.e-]+, Max budget: 0.0005/);
    expect(r.err).toMatch(/warning: trial #\d+ failed: .*Budget has been exceeded/);
    expect(r.err).toMatch(/error: the tune stopped: .*Budget has been exceeded[\s\S]*hint: the endpoint refused the requests/);
    expect(server().stats().requests).toBeLessThan(400);
    report('gateway budget tune', { requests: server().stats().requests, failed: server().stats().errors.bad_request, error: out.error.slice(0, 60) });
    const rows = usageLog(tmp()).filter((row) => row.outcome === 'failed');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row.error === 'bad_request' && /^400 Budget has been exceeded!/.test(row.error_message ?? ''))).toBe(true);
  });

  it('a gateway answering 400 to everything: the probe stops it at once, with the gateway\'s own words', async () => {
    const file = writeTuneConfig(tmp(), smallTune(entry('portkey')));
    const r = await cli(['tune', file], env(), tmp());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no endpoint answered a single probe request: probe failed: .*400 Either x-portkey-config or x-portkey-provider header is required/);
    expect(server().stats().requests).toBeLessThanOrEqual(2);
  });
});

describe('errors as the server said them', () => {
  it.each([
    ['portkey', '400 Either x-portkey-config or x-portkey-provider header is required'],
    ['vllm', '404 The model `gpt-9` does not exist or you do not have access to it.'],
    ['llama-cpp-python', '404 The model `gpt-9` does not exist or you do not have access to it.'],
    ['errors=text', '404 The model `gpt-9` does not exist or you do not have access to it.'],
  ])('%s: in the CLI error and the usage log', async (quirks, said) => {
    writeFileSync(join(tmp(), 'list.yaml'), `[${entry(quirks)}]\n`);
    const r = await cli(['create', '--model', 'gpt-9', '--prompt', 'hi', '--config-list', 'list.yaml'], env(), tmp());
    expect(r.code).toBe(1);
    expect(r.err).toContain(said);
    expect(r.err).not.toContain('status code (no body)');
    expect(usageLog(tmp()).map((row) => row.error_message)).toEqual([said]);
  });

  it('a Portkey entry with its provider header works, and the header prints as is', async () => {
    writeFileSync(join(tmp(), 'list.yaml'), `[${entry('portkey', ', headers: {x-portkey-provider: openai}')}]\n`);
    const r = await cli(['create', '--model', 'gpt-4o-mini', '--prompt', DIRECT, '--var', 'problem=What is 1 + 1?', '--config-list', 'list.yaml', '--json'], env(), tmp());
    expect(r.code).toBe(0);
  });
});

describe('Azure beside OPENAI_BASE_URL', () => {
  it('an azure entry works while OPENAI_BASE_URL is set', async () => {
    writeFileSync(join(tmp(), 'list.yaml'), `[{base_url: "${server().url}", api_type: azure, api_version: "2024-06-01", api_key: "\${OPENAI_API_KEY}", model: gpt-35-turbo}]\n`);
    const r = await cli(['create', '--model', 'gpt-35-turbo', '--prompt', DIRECT, '--var', 'problem=What is 2 + 3?', '--config-list', 'list.yaml', '--json'], env(), tmp());
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(server().stats().log.map((e) => e.path)).toEqual(['/openai/deployments/gpt-35-turbo/chat/completions']);
  });
});

describe('debug modes never print secrets, and never on stdout', () => {
  it('OPENAI_LOG=debug and NODE_DEBUG=http: stdout is the one JSON object; no key, no credential header on stderr', async () => {
    const token = 'gw-token-value-5566778899';
    writeFileSync(join(tmp(), 'list.yaml'), `[{base_url: "${server().baseURL}", api_key: "\${OPENAI_API_KEY}", headers: {X-Gateway-Token: "\${GATEWAY_TOKEN}", x-portkey-provider: openai}}]\n`);
    const c = spawnCli(['create', '--model', 'gpt-4o-mini', '--prompt', DIRECT, '--var', 'problem=What is 9 * 9?', '--config-list', 'list.yaml', '--json'], { ...env({ GATEWAY_TOKEN: token }), OPENAI_LOG: 'debug', NODE_DEBUG: 'http' }, tmp(), children);
    const done = await c.done;
    expect(done.code).toBe(0);
    expect(done.out.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(done.out).choices).toHaveLength(1);
    expect(done.err).toMatch(/openai debug: \[log_\w+\] sending request/);
    expect(done.err).toMatch(/HTTP \d+: /); // Node's own http debug lines, still there
    expect(done.err).toMatch(/Bearer \*\*\*/);
    expect(done.err).toMatch(/x-portkey-provider'?: '?openai/);
    expect(done.err).not.toContain(FIXTURE_KEY);
    expect(done.err).not.toContain(token);
  });
});

describe('the usage log keeps old logs readable', () => {
  it('a version-1 log is migrated when opened: its rows read as reported usage', async () => {
    const dir = join(tmp(), '.cache');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true });
    const { USAGE_MIGRATIONS } = await import('../../src/usage/usage-schema.js');
    const db = new Database(join(dir, 'usage.sqlite'));
    db.exec(USAGE_MIGRATIONS[0] as string);
    db.pragma('user_version = 1');
    db.prepare("INSERT INTO runs VALUES ('old', 'create', '41', 1)").run();
    db.prepare("INSERT INTO usage (run_id, time, model, endpoint, config_id, n, prompt_tokens, completion_tokens, cost, saved, cached, latency_ms, outcome, error, attempts, request_key) VALUES ('old', 1, 'gpt-4', 'x', 0, 1, 10, 5, 0.5, 0, 0, 1, 'ok', NULL, 1, 'k')").run();
    db.close();
    const r = await cli(['usage', '--json'], env(), tmp());
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).by_model['gpt-4']).toMatchObject({ cost: 0.5, estimated_cost: 0 });
    writeFileSync(join(tmp(), 'list.yaml'), `[${entry('no-usage')}]\n`);
    expect((await cli(['create', '--model', 'gpt-4o-mini', '--prompt', 'hi', '--config-list', 'list.yaml'], env(), tmp())).code).toBe(0);
    expect(usageLog(tmp()).map((row) => row.estimated)).toEqual([0, 1]);
  });
});
