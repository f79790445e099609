import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { loadEval } from '../../src/evaluate/load-eval.js';
import { describeWithSharedData, SHARED_DATA } from './helpers.js';

interface Problem { task_id: string; prompt: string; canonical_solution: string; test: string; entry_point: string }

describeWithSharedData('humaneval/HumanEval.jsonl.gz')('builtin:code on all of HumanEval', () => {
  it('canonical solutions pass; `return None` and `pass` bodies fail', async () => {
    const problems = gunzipSync(readFileSync(`${SHARED_DATA}humaneval/HumanEval.jsonl.gz`)).toString('utf8')
      .split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Problem);
    expect(problems).toHaveLength(164);
    const code = await loadEval({ builtin: 'code', timeout: 10 }, { baseDir: '.' });
    const started = performance.now();
    const results = await Promise.all(problems.map(async (p) => ({
      id: p.task_id,
      canonical: await code([p.canonical_solution], p as unknown as Record<string, unknown>),
      broken: await code(['    return None\n', '    pass\n'], p as unknown as Record<string, unknown>),
    })));
    const seconds = (performance.now() - started) / 1000;
    const canonicalFailed = results.filter((r) => r.canonical['success'] !== 1).map((r) => r.id);
    const brokenPassed = results.filter((r) => r.broken['pass_rate'] !== 0).map((r) => r.id);
    console.log(`HumanEval: canonical ${164 - canonicalFailed.length}/164 pass, broken variants passing: ${brokenPassed.length}/328 `
      + `(${brokenPassed.join(', ') || 'none'}); 492 programs in ${seconds.toFixed(1)} s`);
    expect(canonicalFailed).toEqual([]);
    expect(brokenPassed).toEqual([]);
  }, 600_000); // 492 sandboxed programs: minutes on a loaded 2-core machine
});
