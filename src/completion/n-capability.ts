/**
 * How many samples an endpoint gives per request. OpenAI honours `n` up to 128; many
 * compatible servers do not: Ollama, LM Studio and llama-cpp-python answer once whatever `n`
 * is; llama.cpp's llama-server refuses n above its slot count with a 400 that states the limit
 * (older builds refused any n > 1). The engine learns the limit for the run, from an answer with
 * fewer choices than asked or from such an error, and draws the rest of the samples with more
 * requests, so `n` always means n real samples.
 */

/**
 * The n limit an error message states, if it is one about n:
 * - llama-server: `Field 'n': Value must be between 1 <= value <= 4, but got 10`
 * - llama-server before it had slots for n: `Only one completion choice is allowed`
 * - OpenAI models that take only n = 1: `… 'n' … Only the default (1) value is supported`
 * - the plain forms `n must be at most 4`, `n must be less than or equal to 4`, `n <= 4`
 */
export function nLimitFromMessage(message: string): number | undefined {
  const between = /['"`]n['"`]\W[^\n]*?between\s+1\s*<=\s*value\s*<=\s*(\d+)/i.exec(message);
  if (between) return positive(between[1]);
  if (/only one completion choice is allowed/i.test(message)) return 1;
  if (/['"`]n['"`][^\n]*only the default \(1\) value is supported/i.test(message)) return 1;
  const plain = /(?:^|[\s'"`(])n['"`]?\s*(?:must be|should be|can be)?\s*(?:at most|less than or equal to|no more than|<=|≤)\s*(\d+)/i.exec(message);
  if (plain) return positive(plain[1]);
  return undefined;
}

function positive(s: string | undefined): number | undefined {
  const v = Number(s);
  return Number.isInteger(v) && v >= 1 ? v : undefined;
}

/** Split `wanted` samples into requests of at most `limit` each (`[4, 4, 2]` for 10 at 4). */
export function requestSizes(wanted: number, limit: number | undefined): number[] {
  if (wanted <= 0) return [];
  const step = limit === undefined || limit < 1 ? wanted : Math.min(limit, wanted);
  const out: number[] = [];
  for (let left = wanted; left > 0; left -= step) out.push(Math.min(step, left));
  return out;
}

/**
 * The n limits learnt during one run, per endpoint and model (a gateway may route models to
 * different servers). Lives in the engine: one per run, no global state.
 */
export class NLimits {
  private readonly limits = new Map<string, number>();

  get(endpointId: string, model: string): number | undefined {
    return this.limits.get(`${endpointId}\u0000${model}`);
  }

  /** Record a limit; true when it is news (lower than what was known). */
  learn(endpointId: string, model: string, limit: number): boolean {
    const key = `${endpointId}\u0000${model}`;
    const known = this.limits.get(key);
    if (known !== undefined && known <= limit) return false;
    this.limits.set(key, limit);
    return true;
  }
}
