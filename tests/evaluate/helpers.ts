import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Seeded uniform [0, 1) generator for tests (mulberry32). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Absolute path of `../shared/data` next to the project, and whether it exists. */
export const SHARED_DATA = fileURLToPath(new URL('../../../shared/data/', import.meta.url));

/** `describe`, or `describe.skip` with a visible warning when `../shared/data/<sub>` is absent. */
export function describeWithSharedData(sub: string): jest.Describe {
  if (existsSync(`${SHARED_DATA}${sub}`)) return describe;
  console.warn(`SKIPPED: ${SHARED_DATA}${sub} is absent (tests reading ../shared run only in the project workspace)`);
  return describe.skip;
}

/** Directory of the test fixtures. */
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
