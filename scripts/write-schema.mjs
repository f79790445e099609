#!/usr/bin/env node
// `npm run schema`: write autotune.schema.json (the JSON Schema of a tune config, for editors
// through yaml-language-server) from the key registries in the build. A test fails when the
// committed file differs from what this writes.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCHEMA_FILE, schemaText } from '../dist/src/config/config-schema.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
writeFileSync(join(root, SCHEMA_FILE), schemaText());
process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
