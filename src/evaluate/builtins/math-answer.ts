/**
 * Final-answer extraction, normalisation and equivalence for math word problems (MATH /
 * GSM8K style). Pure string functions; used by `builtin:answer_vote`.
 */

/**
 * A number in running text: a LaTeX fraction (`\frac{1}{2}`, `\dfrac12`), or a decimal with
 * optional thousands commas and `/denominator`; a leading `-` only counts when it is not a
 * binary minus (`16-3`).
 */
const NUMBER = /-?\\[dt]?frac\s*(?:\{[^{}]*\}|\d)\s*(?:\{[^{}]*\}|\d)|(?<![\w.)])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\/\d+)?|(?<![\w.)])-?\.\d+/g;

/**
 * The final answer written in a solution, or `null` when there is none. In order of preference:
 * the content of the LAST `\boxed{…}` / `\fbox{…}` (balanced braces), the text after a trailing
 * `####`, what follows "The answer is", and finally the last number in the text.
 *
 * @example
 * extractFinalAnswer('so $\\boxed{\\frac{1}{2}}$.'); // '\\frac{1}{2}'
 * extractFinalAnswer('9 * 2 = $18\n#### 18');        // '18'
 * extractFinalAnswer('She makes 18 dollars.');       // '18'
 */
export function extractFinalAnswer(text: string): string | null {
  return markedAnswer(text) ?? lastNumber(text);
}

/**
 * The expected answer held in a dataset field: like {@link extractFinalAnswer}, except that a
 * short single-line value without a marker is taken whole when it has no words mixed with
 * digits, so bare answers such as `\frac{\pi}{2}`, `(1,2)` or `yes` survive, while `72 clips`
 * or `A: 18` still yield the number.
 *
 * @example
 * extractExpectedAnswer('(1,2)');       // '(1,2)'
 * extractExpectedAnswer('A: 18');       // '18'
 * extractExpectedAnswer('... \n#### 72'); // '72'
 */
export function extractExpectedAnswer(text: string): string | null {
  const marked = markedAnswer(text);
  if (marked !== null) return marked;
  const bare = text.trim();
  const words = /[a-zA-Z]/.test(bare.replace(/\\[a-zA-Z]+/g, ''));
  if (bare !== '' && !bare.includes('\n') && bare.length <= 64 && !(words && /\d/.test(bare))) return bare;
  return lastNumber(text);
}

/**
 * Canonical form of an answer so that equal answers compare equal as strings: strips spaces,
 * thousands commas, `$`/`\$`, `%`/`\%`, degrees, `\left`/`\right`, `\!`, a trailing `.`, units
 * after `\text{`; rewrites `\dfrac`/`\tfrac` to `\frac`, `\frac12` to `\frac{1}{2}`, `a/b` to
 * `\frac{a}{b}` and numbers to a canonical decimal (`5.50`→`5.5`, `5.0`→`5`, `.5`→`0.5`).
 *
 * @example
 * normalizeAnswer('\\$1,000.50');     // '1000.5'
 * normalizeAnswer('90^{\\circ}');      // '90'
 * normalizeAnswer('\\dfrac12');        // '\\frac{1}{2}'
 */
export function normalizeAnswer(s: string): string {
  // a plain decimal (most answers) is untouched by every rewrite below but the last
  if (PLAIN_DECIMAL.test(s)) return canonicalNumber(s) ?? s;
  let t = s.replace(/\n/g, '').replace(/\\!/g, '').replace(/\\\\/g, '\\');
  t = t.replace(/\\[dt]frac/g, '\\frac').replace(/\\left|\\right/g, '');
  t = t.replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|°/g, '');
  t = t.replace(/\\\$|\$/g, '');
  t = stripTextUnits(t);
  t = t.replace(/\\%|%/g, '').replace(/\\[,;: ]/g, '');
  t = t.replace(/\s+/g, '');
  t = t.replace(/^\./, '0.').replace(/\{\./g, '{0.');
  const eq = t.split('=');
  if (eq.length === 2 && (eq[0] ?? '').length <= 2 && (eq[1] ?? '') !== '') t = eq[1] ?? t;
  t = t.replace(/\\sqrt(\w)/g, '\\sqrt{$1}');
  t = t.replace(/\\frac(\{[^{}]*\}|\w)(\{[^{}]*\}|\w)/g, (_m, a: string, b: string) => `\\frac${brace(a)}${brace(b)}`);
  while (/\d,\d{3}(?!\d)/.test(t)) t = t.replace(/(\d),(\d{3})(?!\d)/, '$1$2');
  t = t.replace(/\.+$/, '');
  const simple = /^(-?\d+)\/(\d+)$/.exec(t);
  if (simple) t = `\\frac{${simple[1]}}{${simple[2]}}`;
  t = t.replace(/\\frac\{([+-]?[\d.]+)\}\{([+-]?[\d.]+)\}/g, (_m, a: string, b: string) =>
    `\\frac{${canonicalNumber(a) ?? a}}{${canonicalNumber(b) ?? b}}`);
  return canonicalNumber(t) ?? t;
}

/**
 * Whether two answers are equivalent: equal after {@link normalizeAnswer}, or equal as exact
 * rational numbers (`\frac{1}{2}`, `1/2`, `0.5`, `-\frac{3}{4}` …). `null` (no answer) never
 * equals anything, not even another `null`.
 *
 * @example
 * answersEqual('\\frac{1}{2}', '0.5'); // true
 * answersEqual('1/3', '0.333');        // false
 */
export function answersEqual(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return false;
  const ka = answerKey(a);
  return ka !== null && ka === answerKey(b);
}

/**
 * The equivalence class of an answer as a string: two answers are {@link answersEqual} exactly
 * when their keys are equal and not null. A number's key is its exact value as a reduced
 * fraction (`q:1/2` for `0.5`, `1/2` and `\frac{2}{4}`); anything else is its normalized text
 * (`s:…`); an answer that normalizes to nothing has no key (it equals nothing). Computing the
 * key once per answer lets a vote group answers in one pass.
 *
 * @example
 * answerKey('\\dfrac{2}{4}'); // 'q:1/2'
 * answerKey('x+1');           // 's:x+1'
 */
export function answerKey(answer: string): string | null {
  const n = normalizeAnswer(answer);
  if (n === '') return null;
  // a canonical integer is its own reduced fraction (the common case, without BigInt arithmetic)
  if (CANONICAL_INTEGER.test(n)) return `q:${n}/1`;
  const r = parseRational(n);
  if (r === null) return `s:${n}`;
  const sign = r.den < 0n ? -1n : 1n;
  const g = gcd(r.num < 0n ? -r.num : r.num, r.den < 0n ? -r.den : r.den);
  return `q:${(sign * r.num) / g}/${(sign * r.den) / g}`;
}

// --- internal ---

const PLAIN_DECIMAL = /^-?\d+(?:\.\d+)?$/;
/** What canonicalNumber writes for an integer: no leading zeros, no `-0`. */
const CANONICAL_INTEGER = /^(?:0|-?[1-9]\d*)$/;

function markedAnswer(text: string): string | null {
  const boxed = lastBoxed(text);
  if (boxed !== null) return boxed;
  const hashes = text.lastIndexOf('####');
  if (hashes >= 0) {
    const after = firstNonEmptyLine(text.slice(hashes + 4));
    if (after !== '') return after;
  }
  return answerPhrase(text);
}

function lastNumber(text: string): string | null {
  const numbers = text.match(NUMBER);
  return numbers === null ? null : (numbers[numbers.length - 1] ?? null);
}

function lastBoxed(text: string): string | null {
  const starts = [...text.matchAll(/\\(?:boxed|fbox)\b/g)].map((m) => m.index + m[0].length).reverse();
  for (const start of starts) {
    let i = start;
    while (text[i] === ' ') i++;
    if (text[i] !== '{') {
      // `\boxed 5` (no braces): up to the next `$` or whitespace
      const bare = /^[^\s$]+/.exec(text.slice(i));
      if (bare && i > start) return bare[0];
      continue;
    }
    const end = matchingBrace(text, i);
    if (end >= 0) return text.slice(i + 1, end).trim();
  }
  return null;
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') { i++; continue; } // skip escaped characters such as \{ and \}
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

function firstNonEmptyLine(s: string): string {
  for (const line of s.split('\n')) if (line.trim() !== '') return line.trim();
  return '';
}

function answerPhrase(text: string): string | null {
  const matches = [...text.matchAll(/the\s+(?:final\s+)?answer\s+is\b/gi)];
  const last = matches[matches.length - 1];
  if (last === undefined) return null;
  const line = firstNonEmptyLine(text.slice(last.index + last[0].length)).replace(/^[:=\s]+/, '');
  const math = /\$([^$]+)\$/.exec(line);
  if (math?.[1] !== undefined) return math[1].trim();
  const sentence = (line.split(/\.(?=\s|$)/)[0] ?? '').trim();
  if (/\\(?:frac|sqrt|pi)/.test(sentence)) return sentence;
  const number = sentence.match(NUMBER);
  if (number?.[0] !== undefined) return number[0];
  return sentence === '' ? null : sentence;
}

function stripTextUnits(t: string): string {
  const m = /\\(?:text|textbf|mbox|mathrm)\s*\{/.exec(t);
  if (m === null) return t;
  if (t.slice(0, m.index).trim() !== '') return t.slice(0, m.index); // `5\text{ cm}` → `5`
  return t.replace(/\\(?:text|textbf|mbox|mathrm)\s*\{([^{}]*)\}/g, '$1'); // `\text{yes}` → `yes`
}

function brace(x: string): string {
  return x.startsWith('{') ? x : `{${x}}`;
}

function canonicalNumber(t: string): string | null {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(t);
  if (m === null || !/\d/.test(t)) return null;
  const int = (m[2] ?? '').replace(/^0+(?=\d)/, '').replace(/^$/, '0');
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const body = frac === '' ? int : `${int}.${frac}`;
  return m[1] === '-' && /[1-9]/.test(body) ? `-${body}` : body;
}

interface Rational { num: bigint; den: bigint }

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a === 0n ? 1n : a;
}

function parseRational(t: string): Rational | null {
  const dec = parseDecimal(t);
  if (dec !== null) return dec;
  const frac = /^(-?)\\frac\{([^{}]+)\}\{([^{}]+)\}$/.exec(t);
  if (frac === null) return null;
  const a = parseDecimal(frac[2] ?? '');
  const b = parseDecimal(frac[3] ?? '');
  if (a === null || b === null || b.num === 0n) return null;
  const sign = frac[1] === '-' ? -1n : 1n;
  return { num: sign * a.num * b.den, den: a.den * b.num };
}

function parseDecimal(t: string): Rational | null {
  const c = canonicalNumber(t);
  if (c === null) return null;
  const [int, frac = ''] = c.split('.');
  return { num: BigInt(`${int}${frac}`), den: 10n ** BigInt(frac.length) };
}
