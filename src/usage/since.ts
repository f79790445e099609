import { ConfigError } from '../errors.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Parse a `--since` value into milliseconds since the epoch: a duration back from `now`
 * (`90s`, `30m`, `2h`, `7d`, `2w`), a date (`2026-11-01`, midnight local time) or an ISO
 * timestamp (`2026-11-01T09:30:00Z`, or without a zone: local time).
 *
 * @example
 * parseSince('2h', Date.parse('2026-11-01T12:00:00Z')) === Date.parse('2026-11-01T10:00:00Z')
 */
export function parseSince(text: string, now: number, field = '--since'): number {
  const s = text.trim();
  const duration = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(s);
  if (duration) return now - Number(duration[1]) * (UNIT_MS[duration[2] as string] as number);
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (date) {
    const [y, m, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
    const t = new Date(y, m - 1, d);
    if (t.getFullYear() === y && t.getMonth() === m - 1 && t.getDate() === d) return t.getTime();
  } else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(s)) {
    const t = Date.parse(s);
    if (Number.isFinite(t)) return t;
  }
  throw new ConfigError(`expected a date (2026-11-01), an ISO time (2026-11-01T09:30:00Z) or a duration (30m, 2h, 7d), got ${JSON.stringify(text)}`, {
    field,
    hint: 'durations count back from now: s, m, h, d, w',
  });
}
