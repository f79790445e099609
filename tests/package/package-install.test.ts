import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { FIXTURE_KEY, fixtureEnv, useFixtureServer } from '../helpers/fixture.js';

/**
 * The package as a user gets it: `npm pack`, installed into an empty directory, then used from
 * there. Install without network and without compiling better-sqlite3 for minutes:
 *
 * - `npm ci --offline` with a lock file written here: the tarball, plus the repository lock's
 *   production entries (exact versions and integrity). `npm ci` in the repository has put those
 *   tarballs in npm's cache, so nothing is fetched; dev dependencies are absent, as for a user.
 *   (`npm install <tarball> --offline` cannot work: it needs the registry's package documents,
 *   which `npm ci` never caches.)
 * - `--ignore-scripts`, then the repository's own compiled better_sqlite3.node is copied in (same
 *   machine, same Node, same better-sqlite3 version — checked).
 *
 * Needs `npm run build` first (`npm test` does it): the tarball packs dist/ as it is.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; license: string; bin: Record<string, string>; engines: Record<string, string>; dependencies: Record<string, string> };
const exec = promisify(execFile);
const server = useFixtureServer({ apiKeys: [FIXTURE_KEY] });

let work: string;
let consumer: string;

/** The environment of a user's shell: no jest NODE_OPTIONS, the fixture server as endpoint. */
function env(): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _jest, ...rest } = process.env;
  return { ...rest, ...fixtureEnv(server()), NO_COLOR: '1', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
}

async function sh(file: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return exec(file, args, { cwd: consumer, env: env(), maxBuffer: 16 * 1024 * 1024 });
}

beforeAll(async () => {
  expect(existsSync(join(ROOT, 'dist/src/index.js'))).toBe(true); // npm run build first
  work = mkdtempSync(join(tmpdir(), 'autotune-package-'));
  consumer = join(work, 'consumer');
  mkdirSync(consumer);
  const packed = await exec('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', consumer], { cwd: ROOT, env: env(), maxBuffer: 16 * 1024 * 1024 });
  const tarball = (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]?.filename ?? '';
  writeConsumerLock(consumer, tarball);
  await sh('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund']);
  const sqlite = (dir: string): string => join(dir, 'node_modules/better-sqlite3');
  const version = (dir: string): string => (JSON.parse(readFileSync(join(sqlite(dir), 'package.json'), 'utf8')) as { version: string }).version;
  expect(version(consumer)).toBe(version(ROOT));
  mkdirSync(join(sqlite(consumer), 'build/Release'), { recursive: true });
  copyFileSync(join(sqlite(ROOT), 'build/Release/better_sqlite3.node'), join(sqlite(consumer), 'build/Release/better_sqlite3.node'));
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed tarball, installed into an empty directory', () => {
  it('npx autotune --version, then init and tune against the fixture server', async () => {
    expect((await sh('npx', ['--offline', 'autotune', '--version'])).stdout).toBe(`${PKG.version}\n`);
    const init = await sh('npx', ['--offline', 'autotune', 'init']);
    expect(init.stderr).toContain('wrote autotune.yaml');
    // the schema the config names is the one shipped in the package
    expect(readFileSync(join(consumer, 'autotune.yaml'), 'utf8')).toMatch(/^# yaml-language-server: \$schema=\.\/node_modules\/autotune\/autotune\.schema\.json$/m);
    const tune = await sh('npx', ['--offline', 'autotune', 'tune', '--json']);
    const report = JSON.parse(tune.stdout) as { best_config: { model: string }; optimization_cost: number };
    expect(report.best_config.model).toEqual(expect.any(String));
    expect(report.optimization_cost).toBeLessThanOrEqual(0.05);
  }, 300_000);

  it("require('autotune') and import('autotune') load the library", async () => {
    const cjs = await sh('node', ['-e', "const a = require('autotune'); process.stdout.write(typeof a.runTune + ' ' + typeof a.runTest)"]);
    expect(cjs).toEqual({ stdout: 'function function', stderr: '' });
    const esm = await sh('node', ['--input-type=module', '-e', "import { runTune, runCreate } from 'autotune'; process.stdout.write(typeof runTune + ' ' + typeof runCreate)"]);
    expect(esm).toEqual({ stdout: 'function function', stderr: '' });
  }, 120_000);

  it('its types check in a consumer with skipLibCheck: false (no dev-only types leak)', async () => {
    writeFileSync(
      join(consumer, 'consumer.ts'),
      ["import { runTune, runTest, ConfigError, type TuneOutcome } from 'autotune';", 'export const tune: typeof runTune = runTune;', 'export const test: typeof runTest = runTest;', 'export const isBad = (e: unknown): boolean => e instanceof ConfigError;', 'export type Outcome = TuneOutcome;', ''].join('\n'),
    );
    writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', skipLibCheck: false, noEmit: true }, files: ['consumer.ts'] }));
    const r = await sh(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', '.']).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? String(err), stderr: '' }));
    expect(r.stdout).toBe('');
  }, 120_000);

  it('ships what help and README point to, and no source map without its source', () => {
    const root = join(consumer, 'node_modules/autotune');
    for (const file of ['LICENSE', 'README.md', 'tune.example.yaml', 'autotune.schema.json', 'docs/reliability.md', 'bench/results.md', 'fixtures/data/arith/tune.jsonl']) {
      expect({ file, shipped: existsSync(join(root, file)) }).toEqual({ file, shipped: true });
    }
    const map = JSON.parse(readFileSync(join(root, 'dist/src/index.js.map'), 'utf8')) as { sources: string[] };
    for (const source of map.sources) expect(existsSync(join(root, 'dist/src', source))).toBe(true);
  });
});

/** package.json + package-lock.json of a consumer depending on the tarball only. */
function writeConsumerLock(dir: string, tarball: string): void {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const spec = `file:${tarball}`;
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', version: '1.0.0', dependencies: { autotune: spec } },
    'node_modules/autotune': {
      version: PKG.version,
      resolved: spec,
      integrity: `sha512-${createHash('sha512').update(readFileSync(join(dir, tarball))).digest('base64')}`,
      license: PKG.license,
      dependencies: PKG.dependencies,
      bin: PKG.bin,
      engines: PKG.engines,
    },
  };
  // the production part of the repository's install, at the same paths
  for (const [path, entry] of Object.entries(lock.packages)) if (path.startsWith('node_modules/') && !entry.dev) packages[path] = entry;
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, dependencies: { autotune: spec } }, null, 2)}\n`);
  writeFileSync(join(dir, 'package-lock.json'), `${JSON.stringify({ name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`);
}
