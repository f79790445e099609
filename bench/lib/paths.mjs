// @ts-check
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'autotune.js');
export const WORKER = join(ROOT, 'bench', 'worker.mjs');
export const PROBE = join(ROOT, 'bench', 'lib', 'probe.mjs');
export const DIST = join(ROOT, 'dist', 'src', 'index.js');
