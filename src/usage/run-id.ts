import { randomBytes } from 'node:crypto';

/**
 * A fresh run id: UTC start time plus 6 random hex digits, e.g. `20261101-153012-9f3a1c`.
 * Sortable by time, unique across processes started in the same second.
 */
export function newRunId(now: number): string {
  const iso = new Date(now).toISOString(); // 2026-11-01T15:30:12.345Z
  const stamp = `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
