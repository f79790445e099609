// ESM throughout: chalk 5 is ESM-only, so the tests run as ES modules under ts-jest's
// default-esm preset (NODE_OPTIONS=--experimental-vm-modules is set by `npm test`).
// Type-checking is done once by `tsc --noEmit` before jest runs, so ts-jest only transpiles
// (isolatedModules) and the suite stays fast.
/** @type {import('jest').Config} */
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }],
  },
  testTimeout: 30000,
};
