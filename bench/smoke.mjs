// `npm run bench:smoke`: runs every bench section in tiny mode (a few dozen rows, one seed, cents of budget)
// and checks that each still reports numbers, so `bench/` cannot rot. It lives outside the jest suite because
// a whole bench on a loaded 2-core machine takes minutes, and the suite must not depend on speed; `.ci/run`
// runs it after `npm test`. Exit 0 when the report has every part, 1 with the failed checks otherwise.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

const SECTIONS = [
  ['overhead', '1. Request overhead'],
  ['latency', '2. Latency hiding'],
  ['cache', '3. Cache'],
  ['scale', '4. Scale'],
  ['search', '5. Search efficiency'],
  ['tuner', '6. Overhead of the tuner itself'],
  ['reasoning', '7. Legacy and reasoning models in one space'],
];

function runBench(args) {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bench/run.mjs'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += String(d);
      process.stderr.write(d);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** The Markdown between `## title` and the next `## ` heading. */
function section(report, title) {
  const start = report.indexOf(`## ${title}\n`);
  if (start < 0) return '';
  const next = report.indexOf('\n## ', start + 3);
  return report.slice(start, next < 0 ? undefined : next);
}

const failures = [];
function check(ok, what) {
  if (!ok) failures.push(what);
}

const dir = mkdtempSync(join(tmpdir(), 'autotune-bench-smoke-'));
try {
  const out = join(dir, 'results.md');
  const r = await runBench(['--tiny', '--out', out]);
  check(!/failed/.test(r.stderr), 'the bench printed "failed" on stderr');
  check(r.code === 0, `the bench exited ${r.code}`);
  const report = r.code === 0 ? readFileSync(out, 'utf8') : '';

  check(/^# autotune benchmarks \(tiny\)/.test(report), 'report title');
  check(report.includes(`| Node | ${process.version} |`), 'the Node version in the machine table');
  check(/\| CPU \| .+ × \d+ \|/.test(report), 'the CPU in the machine table');
  check(/on \d{4}-\d\d-\d\dT/.test(report), 'the date');
  check(!report.includes('This section failed'), 'a section failed');
  check(!/\bNaN\b/.test(report), 'NaN in the report');

  const goals = section(report, 'Goals').split('\n').filter((l) => /^\| \d\. /.test(l));
  check(goals.length >= 10, `goals table has ${goals.length} lines, expected ≥ 10`);
  for (const line of goals) check(/\d/.test(line), `goal without a measured value: ${line}`);

  for (const [id, title] of SECTIONS) {
    const body = section(report, title);
    check(body !== '', `section "${title}" missing`);
    check(body.includes(`Reproduce: \`npm run bench -- --section ${id} --tiny\``), `section "${title}" has no reproduce line`);
    const rows = body.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('|---') && /\d/.test(l));
    check(rows.length > 0, `section "${title}" has no table row with numbers`);
  }
  check(/\| 32 \| [\d,]+ \| [\d,]+ \| [\d,]+ \| \*\*\d+\.\d\d\*\* \| \d+\.\d\d \|/.test(section(report, '1. Request overhead')), 'overhead ratios');
  check(/\(\d+\.\d{3}×\)/.test(section(report, '2. Latency hiding')), 'latency-hiding ratio');
  check(/first call in a fresh process \| \*\*[\d,]+\*\* \| \d+ \|/.test(section(report, '3. Cache')), 'cache first-call figure');
  check(/\| 200 \| \*\*\d+\*\* \|/.test(section(report, '4. Scale')), 'scale figure');
  check(/Best config in the space.+→ \*\*0\.\d{3}\*\*/.test(section(report, '5. Search efficiency')), 'search best-in-space figure');
  check(/\*\*\d+\.\d ms per trial\*\*/.test(section(report, '6. Overhead of the tuner itself')), 'tuner overhead figure');
  check(/\| 0 \| \$[\d.]+ \| \$[\d.]+ \| 0 \| .+ \| 0 \| .+ \| yes \|/.test(section(report, '7. Legacy and reasoning models in one space')), 'mixed-space run: no refusal, pick accepted');
  for (const land of ['arith', 'code', 'classify']) {
    const re = new RegExp(`### ${land}: [\\s\\S]+Goals on this landscape: .+\\*\\*(met|missed)\\*\\*`);
    check(re.test(section(report, '5. Search efficiency')), `search section lacks the ${land} landscape's goals`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.error(`bench smoke: ${failures.length} check(s) failed:\n  - ${failures.join('\n  - ')}`);
  process.exit(1);
}
console.error('bench smoke: every section ran and reported its figures');
