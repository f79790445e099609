#!/usr/bin/env node
// @ts-check
/**
 * Per-program cost of builtin:code's sandbox: runs N small passing programs (a function and
 * its check, HumanEval-sized) through the Python runner, `parallel` at a time, and prints wall
 * time and the CPU time of the sandboxes (Linux: the waited-for children's CPU from
 * /proc/self/stat) per program. Not part of `npm run bench` (it measures Python, not autotune).
 *
 *   npm run build && node bench/code-eval.mjs [--n 100] [--parallel 2] [--sandbox namespace|unsafe-prelude] [--dist DIR]
 *
 * --dist: the `dist` directory of another checkout, to compare with its runner (its default
 * isolation; --sandbox is not passed then).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from './lib/paths.mjs';

const { values } = parseArgs({ options: { n: { type: 'string' }, parallel: { type: 'string' }, sandbox: { type: 'string' }, dist: { type: 'string' } } });
const n = Number(values.n ?? 100);
const parallel = Number(values.parallel ?? 2);
const dist = resolve(values.dist ?? join(ROOT, 'dist'));
const { createPythonRunner } = await import(join(dist, 'src/evaluate/builtins/python-runner.js'));
const runner = await createPythonRunner({ parallel, ...(values.dist ? {} : { sandbox: values.sandbox ?? 'namespace' }) });
const program = 'def add(a, b):\n    return a + b\n\n\ndef check(candidate):\n    assert candidate(1, 2) == 3\n\n\ncheck(add)\n';
await runner.run(program, 10_000); // warm-up

/** CPU seconds of the waited-for children (cutime + cstime), or NaN without /proc. */
function childrenCpu() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return Number.NaN;
  }
}

const cpu0 = childrenCpu();
const t0 = performance.now();
const results = await Promise.all(Array.from({ length: n }, () => runner.run(program, 10_000)));
const wallMs = performance.now() - t0;
const cpuMs = (childrenCpu() - cpu0) * 1000;
const passed = results.filter((r) => r.exitCode === 0).length;
console.log(JSON.stringify({
  runner: values.dist ? dist : 'this checkout',
  sandbox: runner.sandbox ?? runner.isolation,
  programs: n,
  parallel,
  passed,
  wall_ms_per_program: +(wallMs / n).toFixed(1),
  cpu_ms_per_program: +(cpuMs / n).toFixed(1),
}));
