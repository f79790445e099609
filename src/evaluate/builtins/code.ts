import type { BuiltinEval } from './builtin-types.js';
import { expectedSuccess, rowText } from './builtin-types.js';
import { assertionProgram, buildCandidate, goldProgram } from './code-program.js';
import { optionError } from './options.js';
import type { PythonRunner, SandboxLevel } from './python-runner.js';
import { createPythonRunner, SANDBOX_LEVELS, SandboxUnavailableError } from './python-runner.js';

/**
 * `builtin:code` — HumanEval-style functional correctness. For each response the candidate is
 * built as in the original (see `buildCandidate`), the row's test and `check(<entry_point>)` are
 * appended, and the program runs under `python3` (see `createPythonRunner` for the isolation);
 * it passes when it exits with code 0 within `timeout` seconds. Returns `success`,
 * `expected_success` = 1 − (1 − k/n)^n and `pass_rate` = k/n; when n > 1 and the row has
 * assertions (`assertions_field`), also `pick_index` (first response passing the assertions,
 * else the last one, like the original) and `success_pick` (the gold result of that response).
 * The interpreter and the sandbox are checked when the eval is loaded: a ConfigError if the
 * interpreter cannot start, or if the `namespace` sandbox cannot be made (the hint says how to
 * enable it, or to opt in to `sandbox: unsafe-prelude`). The eval function carries `sandbox`
 * (level and description) for the run to report.
 *
 * @example
 * const fn = await codeEval.create(validateOptions('code', codeEval.options, { timeout: 2 }, {}), {});
 * await fn(['    return a + b\n'], { prompt: 'def add(a, b):\n', test: 'def check(f):\n    assert f(1, 2) == 3', entry_point: 'add' });
 * // { success: 1, expected_success: 1, pass_rate: 1 }
 */
export const codeEval: BuiltinEval = {
  name: 'code',
  summary: 'run Python completions against the row\'s unit test (HumanEval style)',
  options: {
    timeout: { kind: 'number', min: 0.05, description: 'seconds per program (default 3)' },
    prompt_field: { kind: 'string', description: 'row field with the function signature + docstring (default "prompt", else "definition")' },
    test_field: { kind: 'string', description: 'row field defining check(candidate) (default "test")' },
    entry_point_field: { kind: 'string', description: 'row field naming the function under test (default "entry_point")' },
    assertions_field: { kind: 'string', description: 'row field with assertions used to pick one of n responses (default "assertions")' },
    python: { kind: 'string', description: 'Python 3 interpreter command (default "python3")' },
    parallel: { kind: 'number', integer: true, min: 1, description: 'programs run at once by this eval (default 2)' },
    max_output_bytes: { kind: 'number', integer: true, min: 0, description: 'stdout/stderr bytes kept per program (default 65536)' },
    memory_mb: { kind: 'number', integer: true, min: 0, description: 'address-space limit per program in MiB (default 1024, 0 = none)' },
    sandbox: { kind: 'string', description: '"namespace" (default; refused where unavailable) or "unsafe-prelude" (no isolation from this user\'s files, processes and network)' },
    unshare: { kind: 'string', description: 'util-linux unshare command used by the namespace sandbox (default "unshare")' },
    max_processes: { kind: 'number', integer: true, min: 1, description: 'processes and threads per program (default 64; namespace sandbox only)' },
    max_file_mb: { kind: 'number', min: 0, description: 'largest file a program may write, MiB (default 16)' },
    cpu_seconds: { kind: 'number', integer: true, min: 1, description: 'CPU seconds per process (default: timeout rounded up + 1)' },
    max_open_files: { kind: 'number', integer: true, min: 16, description: 'open files per process (default 256)' },
    disk_mb: { kind: 'number', min: 1, description: 'size of the sandbox\'s private /tmp, MiB (default 64; namespace sandbox only)' },
    network_isolation: { kind: 'string', description: 'replaced by `sandbox`' },
  },
  async create(options, where) {
    const timeoutMs = Math.round((options.number('timeout') ?? 3) * 1000);
    const promptField = options.string('prompt_field');
    const testField = options.string('test_field') ?? 'test';
    const entryField = options.string('entry_point_field') ?? 'entry_point';
    const assertionsField = options.string('assertions_field') ?? 'assertions';
    const python = options.string('python') ?? 'python3';
    if (options.has('network_isolation')) {
      throw optionError(where, 'network_isolation', 'option \'network_isolation\' of builtin:code was replaced by \'sandbox\'',
        'drop it: the default sandbox (namespace) isolates the network; `sandbox: unsafe-prelude` is the old "prelude"');
    }
    const sandbox = options.string('sandbox') ?? 'namespace';
    if (!isSandboxLevel(sandbox)) {
      throw optionError(where, 'sandbox', `option 'sandbox' of builtin:code must be one of ${SANDBOX_LEVELS.join(', ')}, got ${JSON.stringify(sandbox)}`);
    }
    let runner: PythonRunner;
    try {
      runner = await createPythonRunner({
        python,
        parallel: options.number('parallel') ?? 2,
        maxOutputBytes: options.number('max_output_bytes') ?? 64 * 1024,
        memoryMb: options.number('memory_mb') ?? 1024,
        sandbox,
        ...defined({
          unshare: options.string('unshare'),
          maxProcesses: options.number('max_processes'),
          maxFileMb: options.number('max_file_mb'),
          cpuSeconds: options.number('cpu_seconds'),
          maxOpenFiles: options.number('max_open_files'),
          diskMb: options.number('disk_mb'),
        }),
      });
    } catch (err) {
      if (err instanceof SandboxUnavailableError) {
        throw optionError(where, 'sandbox', `builtin:code refuses to run model-written programs: ${err.message}`, err.howToEnable);
      }
      throw optionError(where, 'python', `builtin:code cannot start the Python interpreter '${python}': ${(err as Error).message}`,
        'install Python 3 or set the option python to an interpreter command');
    }
    const passes = async (program: string): Promise<boolean> => {
      const r = await runner.run(program, timeoutMs);
      return r.exitCode === 0 && !r.timedOut;
    };
    const evaluate = async (responses: string[], row: Record<string, unknown>): Promise<Record<string, number>> => {
      const definition = promptField !== undefined ? rowText(row, promptField, 'code')
        : rowText(row, row['prompt'] === undefined && row['definition'] !== undefined ? 'definition' : 'prompt', 'code');
      const test = rowText(row, testField, 'code');
      const entryPoint = rowText(row, entryField, 'code');
      const candidates = responses.map((r) => buildCandidate(r, definition));
      const assertions = row[assertionsField];
      const pick = responses.length > 1 && typeof assertions === 'string' && assertions.trim() !== ''
        ? pickByAssertions(candidates, assertions, passes, options.number('parallel') ?? 2)
        : undefined;
      const gold = await Promise.all(candidates.map((c) => passes(goldProgram(c, test, entryPoint))));
      const k = gold.filter(Boolean).length;
      const metrics: Record<string, number> = {
        success: k > 0 ? 1 : 0,
        expected_success: expectedSuccess(k, gold.length),
        pass_rate: gold.length === 0 ? 0 : k / gold.length,
      };
      if (pick !== undefined) {
        const index = await pick;
        metrics['pick_index'] = index;
        metrics['success_pick'] = gold[index] === true ? 1 : 0;
      }
      return metrics;
    };
    // the prompt field is the template's (checked as such); the test and entry point are the eval's
    const rowFields = [{ field: testField, option: 'test_field', eval: 'code' }, { field: entryField, option: 'entry_point_field', eval: 'code' }];
    return Object.assign(evaluate, { sandbox: { level: runner.sandbox, description: runner.description }, rowFields });
  },
};

function isSandboxLevel(value: string): value is SandboxLevel {
  return (SANDBOX_LEVELS as readonly string[]).includes(value);
}

/** The entries whose value is set (exactOptionalPropertyTypes). */
function defined<T extends Record<string, unknown>>(entries: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

/** First candidate passing the assertions (checked in batches, stopping early), else the last. */
async function pickByAssertions(
  candidates: readonly string[],
  assertions: string,
  passes: (program: string) => Promise<boolean>,
  batch: number,
): Promise<number> {
  for (let start = 0; start < candidates.length; start += batch) {
    const slice = candidates.slice(start, start + batch);
    const ok = await Promise.all(slice.map((c) => passes(assertionProgram(c, assertions))));
    const first = ok.indexOf(true);
    if (first >= 0) return start + first;
  }
  return candidates.length - 1;
}
