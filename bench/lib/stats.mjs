// @ts-check
/** Small statistics and formatting helpers for the report. */

/** @param {number[]} xs */
export const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** @param {number[]} xs */
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? /** @type {number} */ (s[m]) : (/** @type {number} */ (s[m - 1]) + /** @type {number} */ (s[m])) / 2;
};
/** @param {number[]} xs */
export const min = (xs) => Math.min(...xs);
/** @param {number[]} xs */
export const max = (xs) => Math.max(...xs);

/** A number with a fixed count of decimals. @param {number} x @param {number} [d] */
export const fix = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
/** Thousands separated integer. @param {number} x */
export const int = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');
/** USD. @param {number} x @param {number} [d] */
export const usd = (x, d = 4) => (Number.isFinite(x) ? `$${x.toFixed(d)}` : 'n/a');
/** "median (min–max)" of a list. @param {number[]} xs @param {(x: number) => string} f */
export const spread = (xs, f) => (xs.length > 1 ? `${f(median(xs))} (${f(min(xs))}–${f(max(xs))})` : f(xs[0] ?? NaN));
