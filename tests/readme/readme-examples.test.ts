import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { useFixtureServer } from '../helpers/fixture.js';

/**
 * Every code block marked `<!-- runnable -->` in the README, then in docs/library.md, runs as
 * written, in order, in one directory
 * laid out like a clone of the repository where autotune is installed: `tune.example.yaml`,
 * `fixtures/`, and `node_modules/autotune` (so `npx autotune` and `import 'autotune'` resolve as
 * for a user). The endpoint is the fixture server (any key: the README's `sk-...` placeholder too).
 * `sh` blocks run in bash with -e; `ts` blocks hold plain JavaScript and run as ES modules.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const exec = promisify(execFile);
const server = useFixtureServer();

interface Block {
  line: number;
  lang: string;
  code: string;
}

/** The marked blocks: a `<!-- runnable… -->` line right before the opening fence. */
function runnableBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 1; i < lines.length; i++) {
    const fence = /^\s*```(\w+)\s*$/.exec(lines[i] ?? '');
    if (!fence || !/^\s*<!-- runnable\b/.test(lines[i - 1] ?? '')) continue;
    const indent = /^\s*/.exec(lines[i] ?? '')?.[0].length ?? 0;
    const end = lines.findIndex((l, j) => j > i && /^\s*```\s*$/.test(l));
    blocks.push({ line: i + 1, lang: fence[1] ?? '', code: lines.slice(i + 1, end).map((l) => l.slice(indent)).join('\n') });
    i = end;
  }
  return blocks;
}

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'autotune-readme-'));
  copyFileSync(join(ROOT, 'tune.example.yaml'), join(dir, 'tune.example.yaml'));
  symlinkSync(join(ROOT, 'fixtures'), join(dir, 'fixtures'));
  mkdirSync(join(dir, 'node_modules/.bin'), { recursive: true });
  symlinkSync(ROOT, join(dir, 'node_modules/autotune'));
  symlinkSync(join(ROOT, 'bin/autotune.js'), join(dir, 'node_modules/.bin/autotune'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('README and docs examples', () => {
  it('every block marked runnable runs as written against the fixture server', async () => {
    const blocks = ['README.md', 'docs/library.md'].flatMap((file) =>
      runnableBlocks(readFileSync(join(ROOT, file), 'utf8')).map((b) => ({ ...b, file })),
    );
    // README: the quickstart, tune, test, create; docs/library.md: the tune call, the engine
    expect(blocks.map((b) => `${b.file} ${b.lang}`)).toEqual([
      'README.md sh', 'README.md sh', 'README.md sh', 'README.md sh', 'docs/library.md ts', 'docs/library.md ts',
    ]);
    const { NODE_OPTIONS: _jest, ...rest } = process.env;
    const env = { ...rest, OPENAI_BASE_URL: server().baseURL, OPENAI_API_KEY: 'fixture', NO_COLOR: '1', npm_config_offline: 'true', npm_config_update_notifier: 'false' };
    for (const [i, block] of blocks.entries()) {
      let run: Promise<{ stdout: string; stderr: string }>;
      if (block.lang === 'sh') {
        run = exec('bash', ['-e', '-c', block.code], { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 });
      } else {
        const file = join(dir, `readme-snippet-${i}.mjs`);
        writeFileSync(file, `${block.code}\n`);
        run = exec(process.execPath, [file], { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 });
      }
      const outcome = await run.then(
        () => 'ok',
        (err: { code?: number; stderr?: string }) => `exit ${err.code}: ${err.stderr ?? ''}`,
      );
      expect({ file: block.file, line: block.line, outcome }).toEqual({ file: block.file, line: block.line, outcome: 'ok' });
    }
  }, 600_000);
});
