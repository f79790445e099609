#!/usr/bin/env node
// Thin launcher: the CLI lives in the library build (dist/). Ctrl-C aborts the run cleanly once;
// a second Ctrl-C exits at once.
import { setMaxListeners } from 'node:events';
import { run } from '../dist/src/cli/main.js';
import { processIO, redactDebugOutput } from '../dist/src/cli/io.js';

// `autotune … | head -1`: when the reader goes away, stop quietly with success, as `git log | head`
// does, instead of crashing on EPIPE with a stack trace. Anything else on stdout is a real error.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

// NODE_DEBUG=http prints request headers: never the credentials in them
redactDebugOutput(process.stderr, process.env);

const controller = new AbortController();
// every in-flight request listens for the abort: many at once is normal, not a leak
setMaxListeners(0, controller.signal);
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts += 1;
  if (interrupts > 1) process.exit(130);
  controller.abort(new Error('interrupted'));
});
process.exitCode = await run(process.argv.slice(2), processIO(controller.signal));
