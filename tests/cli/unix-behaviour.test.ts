import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { captureIO } from '../helpers/cli.js';
import { TEST_DATA, tuneYaml, writeTuneConfig } from '../tune/tune-helpers.js';

const server = useFixtureServer({ apiKeys: [FIXTURE_KEY] });
const tmp = useTempDir('autotune-unix-');
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/autotune.js');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const DIRECT = '{problem} Answer with just the number.';

beforeEach(() => server().resetStats());

async function cli(argv: string[], extraEnv: Record<string, string> = {}) {
  const c = captureIO(fixtureEnv(server(), { NO_COLOR: '1', ...extraEnv }), tmp());
  const code = await run(argv, c.io);
  return { code, out: c.out(), err: c.err() };
}

/** An io whose stdout is a terminal of `columns` (stderr a pipe, so no progress bar). */
function terminalIO(env: Record<string, string>, columns: number): { io: CliIO; out: () => string; err: () => string } {
  const text = { out: '', err: '' };
  const sink = (key: 'out' | 'err') =>
    new Writable({
      write(chunk: Buffer | string, _enc, cb) {
        text[key] += String(chunk);
        cb();
      },
    });
  const stdout = Object.assign(sink('out'), { isTTY: true, columns });
  return { io: { stdout, stderr: sink('err'), env, cwd: tmp() }, out: () => text.out, err: () => text.err };
}

/**
 * Run the built bin with a stdout whose reader is already gone (`autotune … | head -1` once head
 * has exited): every write the command makes fails with EPIPE.
 */
function runWithClosedStdout(argv: string[], env: Record<string, string>): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], { cwd: tmp(), env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += String(d)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, err }));
  });
}

const smallTune = (budget = '0.03') => writeTuneConfig(tmp(), tuneYaml({ optimization_budget: budget, concurrency: '4' }));

describe('the command line as a Unix tool', () => {
  it('exits 0 with nothing on stderr when the reader of stdout goes away (EPIPE), for every command', async () => {
    const env = { ...fixtureEnv(server()), NO_COLOR: '1' };
    // a budget that lets the pick see every row: a partial pick is rightly warned about on stderr
    const file = smallTune('0.06');
    const commands = [
      ['tune', file],
      ['test', '--data', TEST_DATA, '--model', 'gpt-4o-mini', '--prompt', DIRECT, '--eval', 'builtin:answer_vote', '--limit', '4'],
      ['create', '--model', 'gpt-4o-mini', '--prompt', 'What is 2 + 2?'],
      ['usage'],
      ['--help'],
    ];
    for (const argv of commands) {
      const r = await runWithClosedStdout(argv, env);
      expect({ argv, err: r.err, code: r.code }).toEqual({ argv, err: '', code: 0 });
    }
  }, 240_000);

  it('-V and --version print the version of package.json', async () => {
    for (const flag of ['-V', '--version']) {
      const r = await cli([flag]);
      expect(r).toEqual({ code: 0, out: `${VERSION}\n`, err: '' });
    }
  });

  it('no command is a usage error: help on stderr, exit 2 (autotune, autotune cache); asked-for help exits 0', async () => {
    for (const argv of [[], ['cache']]) {
      const r = await cli(argv);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toMatch(/^Usage: autotune/);
    }
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^Usage: autotune/);
  });

  it('--help lists tune first; every command has examples; required flags are marked', async () => {
    const help = (await cli(['--help'])).out;
    const commands = [...help.matchAll(/^ {2}(\w+) /gm)].map((m) => m[1]);
    expect(commands.slice(0, 5)).toEqual(['tune', 'test', 'create', 'usage', 'cache']);
    expect(help).toMatch(/OPENAI_ORG_ID[\s\S]*OPENAI_PROJECT_ID[\s\S]*OPENAI_LOG/);
    for (const command of ['tune', 'test', 'create', 'usage', 'cache']) {
      const r = await cli([command, '--help']);
      expect(r.code).toBe(0);
      expect((r.out.match(/^ {2}\$ autotune /gm) ?? []).length).toBeGreaterThanOrEqual(2);
    }
    expect((await cli(['test', '--help'])).out).toMatch(/--data <file>\s+\(required\)/);
  });

  it('tune: the result on stdout, every diagnostic (warnings, where the best config went) on stderr', async () => {
    // a budget this small runs out before the best config has seen every row
    const file = smallTune('0.01');
    const r = await cli(['tune', file, '-o', 'best.yaml']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Best config/);
    expect(r.out).not.toMatch(/warning|saved to/);
    // the budget ran out before the best config saw every row: a partial pick, said on stderr
    expect(r.err).toContain('partial best config saved to best.partial.yaml');
    expect(r.err).toMatch(/warning: the best config was measured on \d+ of 60 rows only/);
  }, 120_000);

  it('tables fit a 60-column terminal (long settings cut with …); colours on a terminal, none with TERM=dumb', async () => {
    const file = smallTune();
    const t = terminalIO(fixtureEnv(server()), 60);
    expect(await run(['tune', file], t.io)).toBe(0);
    const lines = t.out().replace(/\u001b\[[0-9;]*m/g, '').split('\n');
    const table = lines.slice(lines.findIndex((l) => l.startsWith('Top trials')) + 1);
    expect(table.length).toBeGreaterThan(2);
    const rows = table.slice(0, table.findIndex((l) => l === ''));
    for (const row of rows) expect(row.length).toBeLessThanOrEqual(60);
    expect(rows.some((row) => row.endsWith('…'))).toBe(true);
    // the best config is the result: wrapped under its column, not cut
    const best = lines.slice(1, lines.indexOf(''));
    for (const line of best) expect(line.length).toBeLessThanOrEqual(60);
    expect(t.out()).toContain('\u001b[');

    const dumb = terminalIO(fixtureEnv(server(), { TERM: 'dumb' }), 60);
    expect(await run(['tune', file], dumb.io)).toBe(0);
    expect(dumb.out()).not.toContain('\u001b[');
    expect(dumb.out()).toMatch(/^Best config/);

    // the same on a real terminal of 60 columns (script(1) gives one; stty sets its width)
    const onTerminal = (term: string) =>
      new Promise<string>((resolve, reject) => {
        const command = `stty cols 60; ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} tune ${JSON.stringify(file)} 2>/dev/null`;
        const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { cwd: tmp(), env: { PATH: process.env.PATH ?? '', TERM: term, ...fixtureEnv(server()) }, stdio: ['pipe', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += String(d)));
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${out}`))));
      });
    const real = await onTerminal('xterm');
    expect(real).toContain('\u001b[');
    const realLines = real.replace(/\u001b\[[0-9;]*m/g, '').split(/\r?\n/);
    const realTable = realLines.slice(realLines.findIndex((l) => l.startsWith('Top trials')) + 1);
    const realRows = realTable.slice(0, realTable.findIndex((l) => l === ''));
    expect(realRows.length).toBeGreaterThan(2);
    for (const row of realRows) expect(row.length).toBeLessThanOrEqual(60);
    expect(await onTerminal('dumb')).not.toContain('\u001b[');
  }, 180_000);

  it('cache clear without --seed asks on a real terminal (script(1) gives it one): n keeps, y removes', async () => {
    expect((await cli(['create', '--model', 'gpt-4o-mini', '--prompt', 'What is 2 + 2?', '--json'])).code).toBe(0);
    const clear = (answer: string) =>
      new Promise<{ code: number | null; out: string }>((resolve, reject) => {
        const child = spawn('script', ['-q', '-e', '-c', `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} cache clear`, '/dev/null'], { cwd: tmp(), env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', TERM: 'dumb' } });
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += String(d);
          // answer once the question is on the terminal
          if (out.includes('[y/N]') && child.stdin.writable) child.stdin.end(`${answer}\n`);
        });
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, out }));
      });
    const no = await clear('n');
    expect(no.out).toMatch(/remove 1 cached sample of 1 seed \([\d.]+ KB\) under \.cache\? \[y\/N\]/);
    expect(no.out).toContain('nothing removed');
    expect(no.code).toBe(1);
    expect(readdirSync(join(tmp(), '.cache')).sort()).toEqual(['41', 'usage.sqlite']);
    const yes = await clear('y');
    expect(yes.out).toMatch(/removed \.cache\/41: 1 sample/);
    expect(yes.code).toBe(0);
    expect(readdirSync(join(tmp(), '.cache'))).toEqual(['usage.sqlite']);
  }, 60_000);

  it('OPENAI_ORG_ID and OPENAI_PROJECT_ID go with every request to the default endpoint', async () => {
    const r = await cli(['create', '--model', 'gpt-4o-mini', '--prompt', 'What is 2 + 2?', '--json'], { OPENAI_ORG_ID: 'org-unix', OPENAI_PROJECT_ID: 'proj_unix' });
    expect(r.code).toBe(0);
    expect(server().stats().log).toEqual([expect.objectContaining({ status: 200, organization: 'org-unix', project: 'proj_unix' })]);
    expect(r.out).not.toContain('org-unix');
  });

  it('--eval takes a built-in with its options as JSON, or --eval-field', async () => {
    // the expected answers under another name: answer_vote must be told where they are
    const rows = readFileSync(TEST_DATA, 'utf8').trim().split('\n').slice(0, 6).map((l) => {
      const { answer, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return JSON.stringify({ ...rest, solution: answer });
    });
    writeFileSync(join(tmp(), 'renamed.jsonl'), `${rows.join('\n')}\n`);
    const base = ['test', '--data', 'renamed.jsonl', '--model', 'gpt-4', '--prompt', DIRECT, '--json'];
    const json = await cli([...base, '--eval', '{"builtin": "answer_vote", "field": "solution"}']);
    expect(json.code).toBe(0);
    const field = await cli([...base, '--eval', 'builtin:answer_vote', '--eval-field', 'solution']);
    expect(field.code).toBe(0);
    const metrics = (r: { out: string }) => (JSON.parse(r.out) as { metrics: Record<string, number> }).metrics;
    expect(metrics(json).success_vote).toBeGreaterThan(0.5);
    expect(metrics(field)).toEqual(metrics(json));
    const without = await cli([...base, '--eval', 'builtin:answer_vote']);
    expect(without.code).not.toBe(0);
    const bad = await cli([...base, '--eval', './eval.mjs', '--eval-field', 'solution']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^error: --eval-field: needs --eval to name a built-in/m);
    const broken = await cli([...base, '--eval', '{"builtin": "answer_vote",']);
    expect(broken.code).toBe(2);
    expect(broken.err).toMatch(/^error: --eval: not valid JSON/m);
  });
});
