/**
 * Building the Python programs the `code` eval runs, following the original's
 * `eval_function_completions`. Pure string functions.
 */

/**
 * The code in a response: the first fenced block (```python, ```py or bare ```) when the
 * response has one (chat models wrap code in fences), else the response itself.
 *
 * @example
 * extractCode('Here:\n```python\ndef f():\n    return 1\n```'); // 'def f():\n    return 1\n'
 */
export function extractCode(response: string): string {
  const fence = /```[ \t]*(?:python3?|py)?[ \t]*\r?\n([\s\S]*?)```/i.exec(response);
  return fence?.[1] ?? response;
}

/**
 * The candidate implementation for one response: everything from a top-level `def check(` on is
 * dropped;
 * a response that starts with `def` is a whole function (the prompt's import lines are put in
 * front so annotations such as `List[int]` still resolve); anything else is a body completing
 * the prompt, so the program is `definition + response`.
 *
 * @example
 * buildCandidate('    return a + b\n', 'def add(a, b):\n'); // 'def add(a, b):\n    return a + b\n'
 */
export function buildCandidate(response: string, definition: string): string {
  let code = extractCode(response).replace(/^(?:[ \t]*\r?\n)+/, '');
  // Only a top-level `def check(` is the model re-writing the test harness; an indented one is a
  // helper inside the solution (HumanEval/119's canonical solution has one).
  const cut = /^def check\(/m.exec(code);
  if (cut !== null) code = code.slice(0, cut.index);
  if (!code.startsWith('def')) return definition + code;
  const imports = definition.split('\n').filter((line) => /^(?:from\s+\S+\s+)?import\s/.test(line));
  return imports.length > 0 ? `${imports.join('\n')}\n\n${code}` : code;
}

/**
 * The gold-test program: candidate, the row's `test` (which defines `check(candidate)`), then
 * `check(<entry_point>)`.
 *
 * @example
 * goldProgram('def f(): return 1', 'def check(c):\n    assert c() == 1', 'f');
 * // 'def f(): return 1\ndef check(c):\n    assert c() == 1\ncheck(f)\n'
 */
export function goldProgram(candidate: string, test: string, entryPoint: string): string {
  return `${candidate}\n${test}\ncheck(${entryPoint})\n`;
}

/**
 * The program that checks a candidate against model-visible assertions (used to pick one
 * response out of n, as the original's `implement()` did).
 *
 * @example
 * assertionProgram('def f(): return 1', 'assert f() == 1'); // 'def f(): return 1\nassert f() == 1\n'
 */
export function assertionProgram(candidate: string, assertions: string): string {
  return `${candidate}\n${assertions}\n`;
}
