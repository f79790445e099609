import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Seeded uniform [0, 1) generator for tests (mulberry32, shared with the fixtures). */
export { seededRandom as mulberry32 } from '../../fixtures/rng.mjs';

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
