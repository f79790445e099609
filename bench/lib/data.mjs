// @ts-check
/** Synthetic datasets for the throughput sections, written to a temp dir (never committed). */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** The prompt every throughput section uses: a one-number answer, so per-request overhead dominates. */
export const PROMPT = '{problem} Answer with just the number.';
export const MODEL = 'gpt-3.5-turbo';

/**
 * Write `n` distinct rows `{id, problem, answer}` (each a distinct request, so nothing is served
 * twice). The fixture server does not know these problems and answers them generically.
 * @param {string} file @param {number} n
 */
export async function writeRows(file, n) {
  const out = createWriteStream(file);
  let chunk = '';
  for (let i = 0; i < n; i++) {
    const a = 10 + ((i * 7919) % 900);
    const b = 3 + ((i * 104729) % 97);
    chunk += `${JSON.stringify({ id: i, problem: `Case ${i}: a crate holds ${a} apples and ${b} more are added. How many apples are in the crate?`, answer: String(a + b) })}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  return file;
}
