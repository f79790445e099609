import type { EvalFunction, EvalOutcome, EvalResult } from './eval-types.js';

/**
 * Turn whatever the completion layer produced into the strings an eval receives: strings pass
 * through, function-call objects and other values are JSON-stringified, `null`/`undefined`
 * become the empty string.
 *
 * @example
 * responsesToStrings(['a', { name: 'f', arguments: '{}' }]); // ['a', '{"name":"f","arguments":"{}"}']
 */
export function responsesToStrings(responses: readonly unknown[]): string[] {
  return responses.map((r) => {
    if (typeof r === 'string') return r;
    if (r === null || r === undefined) return '';
    try {
      return JSON.stringify(r) ?? String(r);
    } catch {
      return String(r);
    }
  });
}

/**
 * Run one eval on one instance without letting it break the run: a thrown error, a rejected
 * promise, a non-object result or a metric that is not a finite number (numeric strings
 * included: they are reported, not coerced) becomes `{ ok: false, error }` with the instance
 * index in the message. Booleans become 0/1.
 *
 * @example
 * const out = await runEval(() => ({ success: true }), ['x'], {}, 0);
 * // out = { ok: true, metrics: { success: 1 } }
 */
export async function runEval(
  fn: EvalFunction,
  responses: readonly unknown[],
  row: Record<string, unknown>,
  index: number,
): Promise<EvalOutcome> {
  let raw: unknown;
  try {
    raw = await fn(responsesToStrings(responses), row);
  } catch (err) {
    return { ok: false, error: `instance ${index}: eval threw: ${describeError(err)}` };
  }
  return checkMetrics(raw, index);
}

/**
 * Validate an eval's return value (see {@link runEval} for the rules).
 *
 * @example
 * checkMetrics({ success: '1' }, 4).ok; // false: "instance 4: metric 'success' is the string \"1\"…"
 */
export function checkMetrics(raw: unknown, index: number): EvalOutcome {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return {
      ok: false,
      error: `instance ${index}: eval returned ${describeValue(raw)}; it must return an object of numeric metrics`,
    };
  }
  const metrics: EvalResult = {};
  // allocated only when something is wrong: this runs once per instance of every run
  let problems: string[] | undefined;
  let nonNumeric: string[] | undefined;
  const values = raw as Record<string, unknown>;
  for (const key in values) {
    if (!Object.hasOwn(values, key)) continue;
    const value = values[key];
    if (typeof value === 'boolean') {
      metrics[key] = value ? 1 : 0;
    } else if (typeof value === 'number' && Number.isFinite(value)) {
      metrics[key] = value;
    } else if (typeof value === 'string') {
      (problems ??= []).push(`metric '${key}' is the string ${JSON.stringify(truncate(value))}; return a number`);
      (nonNumeric ??= []).push(key);
    } else {
      (problems ??= []).push(`metric '${key}' is ${describeValue(value)}; it must be a finite number or a boolean`);
      if (typeof value !== 'number') (nonNumeric ??= []).push(key); // NaN and Infinity are numbers gone wrong on this instance
    }
  }
  if (problems) return { ok: false, error: `instance ${index}: ${problems.join('; ')}`, ...(nonNumeric ? { nonNumeric } : {}) };
  return { ok: true, metrics };
}

// --- internal ---

function describeError(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return describeValue(err);
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return String(value); // NaN, Infinity
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(truncate(value))}`;
  return `a ${typeof value}`;
}

function truncate(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
