/** Runs `fn` once after `ms`; returns a function that cancels it. Injected for tests. */
export type ScheduleFn = (fn: () => void, ms: number) => () => void;

/** Calls `fn` when the process exits; returns a function that removes the hook. */
export type ExitHook = (fn: () => void) => () => void;

/**
 * The production timer: setTimeout, unref'd, so a pending flush never keeps the process alive
 * (the exit hook writes what is left).
 */
export const unrefTimer: ScheduleFn = (fn, ms) => {
  const t = setTimeout(fn, ms);
  t.unref();
  return () => clearTimeout(t);
};

/**
 * The production exit hook: `process.on('exit')`. better-sqlite3 is synchronous, so the last
 * batch can still be written there. (A SIGKILL loses it: at most the calls of the last ~50 ms.)
 */
export const processExitHook: ExitHook = (fn) => {
  process.on('exit', fn);
  return () => {
    process.off('exit', fn);
  };
};
