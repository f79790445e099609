import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { priorSpend } from '../../src/store/trial-log.js';
import { join } from 'node:path';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { DIRECT, TEST_DATA, TUNE_DATA, cli, closedPort, filesUnder, usageRows } from './reliability-helpers.js';

// Bad input for test, create and tune, filling the gaps of tests/tune/tune-errors.test.ts and
// tests/cli/test-command.test.ts: each is a clear message naming the file, line or key and the
// fix, exit code 2, nothing requested and nothing written (no cache, no log, no output file).
// The whole table, with the cases tested elsewhere, is in docs/reliability.md.
const server = useFixtureServer({ apiKeys: [FIXTURE_KEY] });
const tmp = useTempDir('autotune-bad-input-');
beforeEach(() => server().resetStats());

interface Case {
  name: string;
  files?: Record<string, string | Buffer>;
  args: string[];
  env?: Record<string, string>;
  /** stderr must match */
  error: RegExp;
  /** The case reaches the endpoint (unreachable base_url): its failed attempts are usage, logged. */
  attempts?: boolean;
}

const REQ = ['model: gpt-4o-mini', `prompt: "${DIRECT}"`, 'eval: builtin:answer_vote'];
const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;
const TEST_OUT = ['--results', 'out.jsonl'];
const tuneYaml = (...extra: string[]) =>
  yaml(`data: ${JSON.stringify(TUNE_DATA)}`, extra.some((l) => l.includes('builtin:')) ? 'metric: success_vote' : 'metric: score', 'inference_budget: 0.001', 'optimization_budget: 0.05', 'log_file: log.jsonl', ...extra, 'search_space:', '  model: gpt-4o-mini', `  prompt: "${DIRECT}"`);

/** A billion laughs: nine levels of nine aliases (387M strings once expanded) in a few hundred bytes. */
const LAUGHS = ['lol: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]', ...Array.from({ length: 8 }, (_, i) => `l${i + 1}: &l${i + 1} [${Array(9).fill(`*l${i}`).join(', ')}]`)];

const testCases: Case[] = [
  { name: 'malformed YAML config', files: { 'c.yaml': 'model: [unclosed\n' }, args: ['--config', 'c.yaml', '--data', TEST_DATA], error: /c\.yaml:2: not valid YAML[\s\S]*hint: fix the YAML syntax/ },
  { name: 'unknown key, with a suggestion', files: { 'c.yaml': yaml(...REQ, 'temprature: 0.5') }, args: ['--config', 'c.yaml', '--data', TEST_DATA], error: /c\.yaml:4: temprature: unknown key temprature[\s\S]*did you mean temperature\?/ },
  { name: 'wrong type (n: many would silently request nothing)', files: { 'c.yaml': yaml(...REQ, 'n: many') }, args: ['--config', 'c.yaml', '--data', TEST_DATA], error: /c\.yaml:4: n: n must be a number, got "many"[\s\S]*hint: set n to a valid value: an integer in \[1, 128\]/ },
  { name: 'out of range (temperature 5)', files: { 'c.yaml': yaml(...REQ, 'temperature: 5') }, args: ['--config', 'c.yaml', '--data', TEST_DATA], error: /c\.yaml:4: temperature: temperature must be in \[0, 2\], got 5/ },
  { name: 'out of range (max_tokens 0)', files: { 'c.yaml': yaml(...REQ, 'max_tokens: 0') }, args: ['--config', 'c.yaml', '--data', TEST_DATA], error: /c\.yaml:4: max_tokens: max_tokens must be >= 1, got 0/ },
  { name: 'negative request_timeout', files: { 'c.yaml': yaml(...REQ, 'request_timeout: -1') }, args: ['--config', 'c.yaml', '--data', TEST_DATA], error: /c\.yaml:4: request_timeout: request_timeout must be a positive number of seconds/ },
  { name: 'empty dataset', files: { 'd.jsonl': '\n\n' }, args: ['--model', 'gpt-4o-mini', '--prompt', DIRECT, '--eval', 'builtin:answer_vote', '--data', 'd.jsonl'], error: /d\.jsonl: dataset .*d\.jsonl has no rows[\s\S]*hint: each line must hold one JSON object/ },
  { name: 'data row that is not UTF-8 (not replaced and scored)', files: { 'd.jsonl': Buffer.concat([Buffer.from('{"problem": "1 + 1", "answer": "2"}\n{"problem": "caf'), Buffer.from([0xe9]), Buffer.from(' 2 + 2", "answer": "4"}\n')]) }, args: ['--model', 'gpt-4o-mini', '--prompt', DIRECT, '--eval', 'builtin:answer_vote', '--data', 'd.jsonl'], error: /d\.jsonl:2: the line is not valid UTF-8 text[\s\S]*hint: save the file as UTF-8/ },
  { name: 'data line longer than max_line_bytes', files: { 'c.yaml': yaml(...REQ, 'max_line_bytes: 100'), 'd.jsonl': `{"problem": "1 + 1", "answer": "2"}\n{"problem": "${'9'.repeat(200)}", "answer": "9"}\n` }, args: ['--config', 'c.yaml', '--data', 'd.jsonl'], error: /d\.jsonl:2: the line is longer than 100 bytes, the most a dataset line may hold[\s\S]*hint: .*raise max_line_bytes/ },
  { name: 'max_line_bytes that is not a byte count', files: { 'c.yaml': yaml(...REQ, 'max_line_bytes: lots') }, args: ['--config', 'c.yaml', '--data', TEST_DATA], error: /c\.yaml:4: max_line_bytes: max_line_bytes must be a whole number of bytes >= 1, got "lots"/ },
  { name: 'a billion-laughs YAML (aliases exploding)', files: { 'c.yaml': yaml(...REQ, ...LAUGHS) }, args: ['--config', 'c.yaml', '--data', TEST_DATA], error: /c\.yaml: the YAML expands too many aliases[\s\S]*hint: / },
  { name: 'eval module that does not exist', args: ['--model', 'gpt-4o-mini', '--prompt', DIRECT, '--eval', './nope.mjs', '--data', TEST_DATA], error: /--eval: eval module not found: .*nope\.mjs/ },
  { name: 'eval module without a function (named in the config)', files: { 'e.mjs': 'export const x = 1;\n', 'c.yaml': yaml('model: gpt-4o-mini', `prompt: "${DIRECT}"`, 'eval: ./e.mjs') }, args: ['--config', 'c.yaml', '--data', TEST_DATA], error: /c\.yaml:3: eval: eval module .*e\.mjs has no function export[\s\S]*hint: export default/ },
  { name: 'missing API key variable (named, not blamed on a data line)', args: ['--model', 'gpt-4o-mini', '--prompt', DIRECT, '--eval', 'builtin:answer_vote', '--data', TEST_DATA], env: { OPENAI_API_KEY: '' }, error: /^error: config_list\[0\]\.api_key: environment variable OPENAI_API_KEY is not set\n  hint: export OPENAI_API_KEY=/ },
  { name: 'unreachable base_url (connection refused)', args: ['--model', 'gpt-4o-mini', '--prompt', DIRECT, '--eval', 'builtin:answer_vote', '--data', TEST_DATA, '--config-list', 'l.json'], error: /error: config_list: no endpoint in config_list can be reached: config 0 \(http:\/\/127\.0\.0\.1:\d+\/v1\): connection error \(ECONNREFUSED\)[\s\S]*hint: check base_url/, attempts: true },
];

const createCases: Case[] = [
  { name: 'malformed YAML config', files: { 'c.yaml': 'model: [unclosed\n' }, args: ['--config', 'c.yaml'], error: /c\.yaml:2: not valid YAML/ },
  { name: 'a billion-laughs YAML', files: { 'c.yaml': yaml('model: gpt-4o-mini', 'prompt: hi', ...LAUGHS) }, args: ['--config', 'c.yaml'], error: /c\.yaml: the YAML expands too many aliases/ },
  { name: 'an alias without its anchor', files: { 'c.yaml': yaml('model: *m', 'prompt: hi') }, args: ['--config', 'c.yaml'], error: /c\.yaml: not valid YAML: Unresolved alias[\s\S]*hint: define each &anchor before its \*alias/ },
  { name: 'unknown key', files: { 'c.yaml': yaml('model: gpt-4o-mini', 'prompt: hi', 'max_token: 5') }, args: ['--config', 'c.yaml'], error: /c\.yaml:3: max_token: unknown key max_token[\s\S]*did you mean max_tokens\?/ },
  { name: 'wrong type', files: { 'c.yaml': yaml('model: gpt-4o-mini', 'prompt: hi', 'stop: {a: 1}') }, args: ['--config', 'c.yaml'], error: /c\.yaml:3: stop: stop must be null, a string or a list of strings/ },
  { name: 'out of range', files: { 'c.yaml': yaml('model: gpt-4o-mini', 'prompt: hi', 'top_p: 1.5') }, args: ['--config', 'c.yaml'], error: /c\.yaml:3: top_p: top_p must be in \[0, 1\], got 1\.5/ },
  { name: 'template field missing from the context', args: ['--model', 'gpt-4o-mini', '--prompt', '{problem}'], error: /prompt: template field \{problem\} in prompt is not in the context[\s\S]*hint: .*--var/ },
  { name: 'missing API key variable', args: ['--model', 'gpt-4o-mini', '--prompt', 'hi'], env: { OPENAI_API_KEY: '' }, error: /config_list\[0\]\.api_key: environment variable OPENAI_API_KEY is not set/ },
];

const tuneCases: Case[] = [
  { name: 'eval returns the metric as a string (found before a cent is spent)', files: { 'e.mjs': 'export default () => ({ score: "high" });\n', 't.yaml': tuneYaml('eval: ./e.mjs') }, args: ['t.yaml', '--output', 'best.yaml'], error: /t\.yaml:\d+: eval: the eval returns score as something other than a number: metric 'score' is the string "high"[\s\S]*hint: make the eval return score as a number/ },
  { name: 'negative budget given as a flag', files: { 't.yaml': tuneYaml('eval: builtin:answer_vote') }, args: ['t.yaml', '--optimization-budget', '-1'], error: /error: --optimization-budget: must be a number >= 0, got "-1"/ },
  { name: 'a zero budget given as a flag is the flag\'s fault, not the file\'s', files: { 't.yaml': tuneYaml('eval: builtin:answer_vote') }, args: ['t.yaml', '--optimization-budget', '0'], error: /^error: --optimization-budget: must be a positive number of USD, got 0$/m },
  { name: 'data row that is not UTF-8', files: { 't.yaml': tuneYaml('eval: builtin:answer_vote').replace(/^data: .*$/m, 'data: d.jsonl'), 'd.jsonl': Buffer.concat([Buffer.from('{"problem": "1 + 1", "answer": "2"}\n{"problem": "2 + 2", "answer": "4"}\n{"problem": "'), Buffer.from([0xff, 0xfe]), Buffer.from('", "answer": "4"}\n')]) }, args: ['t.yaml', '--output', 'best.yaml'], error: /d\.jsonl:3: the line is not valid UTF-8 text/ },
  { name: 'a billion-laughs YAML', files: { 't.yaml': tuneYaml('eval: builtin:answer_vote', ...LAUGHS) }, args: ['t.yaml', '--output', 'best.yaml'], error: /t\.yaml: the YAML expands too many aliases/ },
  { name: 'max_line_bytes that is not a byte count', files: { 't.yaml': tuneYaml('eval: builtin:answer_vote', 'max_line_bytes: -5') }, args: ['t.yaml', '--output', 'best.yaml'], error: /t\.yaml:\d+: max_line_bytes: max_line_bytes must be a whole number of bytes >= 1, got -5/ },
  {
    name: 'unreachable base_url: a host that does not exist (no retries for 120 s)',
    files: { 't.yaml': tuneYaml('eval: builtin:answer_vote', 'retry_timeout: 5', 'config_list: [{base_url: "http://autotune-no-such-host.invalid/v1", api_key: "${OPENAI_API_KEY}"}]') },
    args: ['t.yaml', '--output', 'best.yaml'],
    error: /config_list: no endpoint answered a single probe request: .*connection error/,
    attempts: true,
  },
];

/** Run one case; expect exit 2, the message, no request that got an answer, nothing written. */
async function expectRejected(command: 'test' | 'create' | 'tune', c: Case): Promise<string> {
  const files = { ...c.files };
  if (c.args.includes('l.json')) files['l.json'] = JSON.stringify([{ base_url: `http://127.0.0.1:${await closedPort()}/v1`, api_key: '${OPENAI_API_KEY}' }]);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(tmp(), name), text);
  const args = command === 'test' ? [...c.args, ...TEST_OUT] : c.args;
  const r = await cli([command, ...args.map((a) => (a === 't.yaml' ? join(tmp(), a) : a))], { ...fixtureEnv(server()), ...c.env }, tmp());
  expect(r.err).toMatch(c.error);
  expect(r.code).toBe(2);
  expect(r.out).toBe('');
  expect(server().stats().ok).toBe(0);
  const written = readdirSync(tmp()).filter((f) => !(f in files));
  if (c.attempts) {
    // failed attempts at an endpoint are usage, and are logged (tune's trial log too: money was
    // reserved for them before they were sent, and released); nothing else is written
    expect(written.filter((f) => f !== 'log.jsonl')).toEqual(['.cache']);
    if (written.includes('log.jsonl')) {
      const log = join(tmp(), 'log.jsonl');
      const identity = String((JSON.parse(readFileSync(log, 'utf8').split('\n')[0] ?? '{}') as { identity?: string }).identity);
      expect(priorSpend(log, identity)).toBe(0);
    }
    expect(filesUnder(join(tmp(), '.cache')).map((f) => f.slice(tmp().length + 1)).filter((f) => !/usage\.sqlite(-wal|-shm)?$/.test(f))).toEqual([]);
    // refused, or a name the resolver says does not exist: no retries (a resolver that cannot be
    // reached at all answers EAI_AGAIN, which is retried for retry_timeout, as it should be)
    if (/ECONNREFUSED|ENOTFOUND/.test(r.err)) {
      const attempts = usageRows(join(tmp(), '.cache')).filter((u) => u.outcome === 'failed');
      expect(attempts.length).toBeGreaterThan(0);
      expect(new Set(attempts.map((u) => u.request_key)).size).toBe(attempts.length);
    }
  } else {
    expect(written).toEqual([]);
  }
  expect(existsSync(join(tmp(), 'out.jsonl'))).toBe(false);
  return r.err;
}

describe('bad input: exit 2, a located message with the fix, nothing requested or written', () => {
  it.each(testCases)('test: $name', async (c) => {
    await expectRejected('test', c);
  });

  it.each(createCases)('create: $name', async (c) => {
    await expectRejected('create', c);
  });

  it.each(tuneCases)('tune: $name', async (c) => {
    await expectRejected('tune', c);
  });
});

describe('an eval that returns a non-number for some answers', () => {
  it('test: a per-instance failure with index and line, left out of the metrics (exit 1)', async () => {
    writeFileSync(join(tmp(), 'e.mjs'), 'export default (responses, row) => ({ score: row.id.endsWith("2") ? "n/a" : 1 });\n');
    const r = await cli(['test', '--model', 'gpt-4o-mini', '--prompt', DIRECT, '--eval', './e.mjs', '--data', TEST_DATA, '--limit', '5', '--json'], fixtureEnv(server()), tmp());
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ metrics: { score: 1 }, instances: 5, failed: 1, failures: [{ index: 1, line: 2, kind: 'eval', message: expect.stringContaining(`metric 'score' is the string "n/a"; return a number`) }] });
    expect(r.err).toContain(`warning: instance 1 (line 2): metric 'score' is the string "n/a"; return a number`);
  });

  it('tune: a clear error (exit 2) instead of rows quietly scored as failures', async () => {
    // numbers for the empty probe answer, a string for real answers: found once answers come in
    writeFileSync(join(tmp(), 'e.mjs'), 'export default (responses) => ({ score: responses[0] ? "high" : 0 });\n');
    writeFileSync(join(tmp(), 't.yaml'), tuneYaml('eval: ./e.mjs'));
    const r = await cli(['tune', join(tmp(), 't.yaml'), '--output', 'best.yaml'], fixtureEnv(server()), tmp());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/error: metric: the eval returned a non-numeric score \(row \d+\): metric 'score' is the string "high"; return a number\n  hint: make the eval return score as a number/);
    expect(existsSync(join(tmp(), 'best.yaml'))).toBe(false);
  });
});
