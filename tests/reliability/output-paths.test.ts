import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, lstatSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer, useTempDir } from '../helpers/fixture.js';
import { DIRECT, TEST_DATA, TUNE_DATA, cli, killAll, spawnCli, type CliChild } from './reliability-helpers.js';

// Every command writes its output files one way (src/ops/output-file.ts): `-` is stdout, a path
// that exists and is not a regular file (a device, a FIFO, a symlink to one) is written in
// place, a regular file through a temporary file and a rename. Before: `--results -` wrote a
// file named `-`, and as root `--results /dev/stdout` replaced the /dev/stdout symlink with a
// regular file (the rename went over it).
const server = useFixtureServer({ apiKeys: [FIXTURE_KEY] });
const tmp = useTempDir('autotune-output-paths-');
const children: CliChild[] = [];
afterEach(() => killAll(children));
beforeEach(() => server().resetStats());

const TEST_ARGS = ['test', '--model', 'gpt-4o-mini', '--prompt', DIRECT, '--eval', 'builtin:answer_vote', '--data', TEST_DATA, '--limit', '4'];
const jsonLines = (text: string): Array<Record<string, unknown>> => text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('output paths: - is stdout, special files are written in place, regular files replaced atomically', () => {
  it('test --results - writes the results to stdout (the summary to stderr) and creates no file named -', async () => {
    const r = await cli([...TEST_ARGS, '--results', '-', '--json'], fixtureEnv(server()), tmp());
    expect(r.code).toBe(0);
    const lines = jsonLines(r.out);
    expect(lines).toHaveLength(4);
    expect(lines.every((l) => Array.isArray(l.responses))).toBe(true);
    // the summary, still one JSON object, on stderr
    expect(JSON.parse(r.err.trim().split('\n').pop() ?? '')).toMatchObject({ instances: 4 });
    expect(existsSync(join(tmp(), '-'))).toBe(false);
    expect(readdirSync(tmp()).filter((f) => f !== '.cache')).toEqual([]);
  });

  it('tune --output - prints the best config as YAML on stdout (the report on stderr); no file named -', async () => {
    writeFileSync(join(tmp(), 't.yaml'), [`data: ${JSON.stringify(TUNE_DATA)}`, 'eval: builtin:answer_vote', 'metric: success_vote', 'inference_budget: 0.001', 'num_samples: 2', 'search_space:', '  model: gpt-4o-mini', `  prompt: "${DIRECT}"`, ''].join('\n'));
    const r = await cli(['tune', 't.yaml', '--output', '-'], fixtureEnv(server()), tmp());
    expect(r.code).toBe(0);
    expect(parse(r.out)).toMatchObject({ model: 'gpt-4o-mini', eval: 'builtin:answer_vote', metric: 'success_vote' });
    expect(r.err).toMatch(/Best config/);
    expect(existsSync(join(tmp(), '-'))).toBe(false);
  });

  it('--results /dev/stdout writes to the process stdout and leaves /dev/stdout a symlink (as root too)', async () => {
    const before = lstatSync('/dev/stdout');
    const c = spawnCli([...TEST_ARGS, '--results', '/dev/stdout'], fixtureEnv(server()), tmp(), children);
    const done = await c.done;
    expect(done.err).toBe('');
    expect(done.code).toBe(0);
    // the results lines come first, then the summary table
    expect(done.out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as unknown)).toHaveLength(4);
    expect(lstatSync('/dev/stdout').isSymbolicLink()).toBe(before.isSymbolicLink());
    expect(readdirSync('/dev').filter((f) => f.startsWith('.stdout.'))).toEqual([]);
  });

  it('a FIFO receives the results and stays a FIFO; a symlink to one too', async () => {
    const fifo = join(tmp(), 'results.fifo');
    execFileSync('mkfifo', [fifo]);
    for (const target of [fifo, join(tmp(), 'link-to-fifo')]) {
      if (target !== fifo) symlinkSync(fifo, target);
      const chunks: Buffer[] = [];
      // the reader opens the FIFO first and reads until the writer closes it
      const read = new Promise<string>((resolve, reject) => {
        createReadStream(fifo)
          .on('data', (d) => chunks.push(d as Buffer))
          .on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
          .on('error', reject);
      });
      const r = await cli([...TEST_ARGS, '--results', target, '--json'], fixtureEnv(server()), tmp());
      expect(r.code).toBe(0);
      expect(jsonLines(await read)).toHaveLength(4);
      expect(statSync(fifo).isFIFO()).toBe(true);
      if (target !== fifo) expect(lstatSync(target).isSymbolicLink()).toBe(true);
    }
    expect(readdirSync(tmp()).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a symlink to a regular file: the file gets the results, the link stays a link', async () => {
    const real = join(tmp(), 'real.jsonl');
    writeFileSync(real, 'old\n');
    symlinkSync(real, join(tmp(), 'link.jsonl'));
    const r = await cli([...TEST_ARGS, '--results', 'link.jsonl', '--json'], fixtureEnv(server()), tmp());
    expect(r.code).toBe(0);
    expect(lstatSync(join(tmp(), 'link.jsonl')).isSymbolicLink()).toBe(true);
    expect(jsonLines(readFileSync(real, 'utf8'))).toHaveLength(4);
  });
});
