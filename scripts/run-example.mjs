#!/usr/bin/env node
// `npm run example`: the main job of the README, with no API key and no network. It starts the
// bundled fixture LLM server on 127.0.0.1, points autotune at it, and runs
//   1. autotune tune tune.example.yaml            (search under the budgets, save the best, write the HTML report)
//   2. autotune test on the held-out test set      (the tuned config)
//   3. autotune test of an untuned baseline        (gpt-4 at its defaults) for comparison.
// Outputs go to example-output/ (the cache too), so a second run is served from the cache: $0.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFixtureServer } from '../fixtures/server/index.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'example-output');
mkdirSync(out, { recursive: true });
const server = await startFixtureServer({ port: 0 });
const env = { ...process.env, OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: 'fixture-key' };
const cacheRoot = join('example-output', '.cache');

function autotune(args, title) {
  process.stdout.write(`\n$ autotune ${args.join(' ')}\n${title ? `# ${title}\n` : ''}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'autotune.js'), ...args], { cwd: root, env, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`autotune ${args[0]} exited with ${code}`))));
  });
}

// The untuned baseline: the most expensive model at its defaults, chain-of-thought prompt.
const baseline = join(out, 'baseline.yaml');
writeFileSync(baseline, [
  'model: gpt-4',
  `prompt: "{problem} Let's think step by step."`,
  'eval: builtin:answer_vote',
  'metric: success_vote',
  'prices: {gpt-3.5-turbo: [0.0015, 0.002], gpt-4: [0.03, 0.06]}',
  '',
].join('\n'));

try {
  await autotune(['tune', 'tune.example.yaml', '--output', 'example-output/best.yaml', '--cache-path-root', cacheRoot, '--report', 'example-output/report.html'], 'search under $0.002 per question and $1.00 in all; the report: example-output/report.html');
  await autotune(['test', '--config', 'example-output/best.yaml', '--data', 'fixtures/data/arith/test.jsonl', '--cache-path-root', cacheRoot], 'the tuned config on 300 held-out questions');
  await autotune(['test', '--config', 'example-output/baseline.yaml', '--data', 'fixtures/data/arith/test.jsonl', '--cache-path-root', cacheRoot], 'untuned baseline: gpt-4 at defaults');
  const stats = server.stats();
  process.stdout.write(`\nfixture server: ${stats.requests} requests, $${stats.cost.toFixed(4)} charged in this run\n`);
} catch (err) {
  process.stderr.write(`${err.message}\n`);
  process.exitCode = 1;
} finally {
  await server.close();
}
