import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useTempDir } from '../helpers/fixture.js';

// CI does not run the benchmarks, but this runs them in a tiny mode (a few dozen rows, one seed,
// cents of budget) so that `bench/` cannot rot: every section must still run and report numbers.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const tmp = useTempDir('autotune-bench-test-');

const SECTIONS = [
  ['overhead', '1. Request overhead'],
  ['latency', '2. Latency hiding'],
  ['cache', '3. Cache'],
  ['scale', '4. Scale'],
  ['search', '5. Search efficiency'],
  ['tuner', '6. Overhead of the tuner itself'],
] as const;

function runBench(args: string[]): Promise<{ code: number | null; stderr: string; ms: number }> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // jest's --experimental-vm-modules is not for the bench
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bench/run.mjs'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, ms: Date.now() - started }));
  });
}

/** The Markdown between `## title` and the next `## ` heading. */
function section(report: string, title: string): string {
  const start = report.indexOf(`## ${title}\n`);
  if (start < 0) return '';
  const next = report.indexOf('\n## ', start + 3);
  return report.slice(start, next < 0 ? undefined : next);
}

describe('npm run bench (tiny mode)', () => {
  it('runs every section and writes a report with numbers, the machine and the commands to reproduce', async () => {
    const out = join(tmp(), 'results.md');
    const r = await runBench(['--tiny', '--out', out]);
    expect(r.stderr).not.toMatch(/failed/);
    expect(r.code).toBe(0);
    const report = readFileSync(out, 'utf8');

    expect(report).toMatch(/^# autotune benchmarks \(tiny\)/);
    expect(report).toContain(`| Node | ${process.version} |`);
    expect(report).toMatch(/\| CPU \| .+ × \d+ \|/);
    expect(report).toMatch(/on \d{4}-\d\d-\d\dT/); // the date
    expect(report).not.toContain('This section failed');
    expect(report).not.toMatch(/\bNaN\b/);

    // the goals table: one line per goal, each with a measured value
    const goals = section(report, 'Goals').split('\n').filter((l) => /^\| \d\. /.test(l));
    expect(goals.length).toBeGreaterThanOrEqual(10);
    for (const line of goals) expect(line).toMatch(/\d/);

    for (const [id, title] of SECTIONS) {
      const body = section(report, title);
      expect(body).not.toBe('');
      expect(body).toContain(`Reproduce: \`npm run bench -- --section ${id} --tiny\``);
      // at least one table row whose cells hold numbers
      const rows = body.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('|---') && /\d/.test(l));
      expect(rows.length).toBeGreaterThan(0);
    }
    // the ratios and figures each section is about
    // bare client, bare client on autotune's fetch, library, **library / bare**, library / bare on the same fetch
    expect(section(report, '1. Request overhead')).toMatch(/\| 32 \| [\d,]+ \| [\d,]+ \| [\d,]+ \| \*\*\d+\.\d\d\*\* \| \d+\.\d\d \|/);
    expect(section(report, '2. Latency hiding')).toMatch(/\(\d+\.\d{3}×\)/);
    expect(section(report, '3. Cache')).toMatch(/first call in a fresh process \| \*\*[\d,]+\*\* \| \d+ \|/);
    expect(section(report, '4. Scale')).toMatch(/\| 200 \| \*\*\d+\*\* \|/);
    expect(section(report, '5. Search efficiency')).toMatch(/Best config in the space.+→ \*\*0\.\d{3}\*\*/);
    expect(section(report, '6. Overhead of the tuner itself')).toMatch(/\*\*\d+\.\d ms per trial\*\*/);
    // the search section covers every landscape, each with its issue-16 goals
    for (const land of ['arith', 'code', 'classify']) {
      expect(section(report, '5. Search efficiency')).toMatch(new RegExp(`### ${land}: [\\s\\S]+Goals on this landscape: .+\\*\\*(met|missed)\\*\\*`));
    }
    // generous: a whole bench on two cores shared with other work (no speed goal here)
  }, 600_000);
});
