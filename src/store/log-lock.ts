import { closeSync, openSync, readFileSync, rmSync, writeSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { AutotuneError } from '../errors.js';

/** Who holds a trial log: written into `{log}.lock` by the process that holds it. */
export interface LockHolder {
  pid: number;
  host: string;
  /** ISO time the holder took the lock. */
  started: string;
}

/** The process taking a lock, and how to tell whether a holder on this host is still running. */
export interface LockDeps {
  pid: number;
  host: string;
  now: () => Date;
  isRunning: (pid: number) => boolean;
}

/** This process. */
export const processLockDeps: LockDeps = {
  pid: process.pid,
  host: hostname(),
  now: () => new Date(),
  isRunning: (pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      // EPERM: it runs, as another user
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  },
};

/** A held lock: release it when the run ends (also when it fails). */
export interface LogLock {
  file: string;
  /** The stale holder this lock was taken over from (a run killed with -9 on this host). */
  tookOverFrom: LockHolder | undefined;
  release(): void;
}

/**
 * Lock a trial log for the whole run: `{log}.lock`, created exclusively (O_EXCL), holding the
 * holder's pid, host and start time. Two tunes on one log would each count the other's spend
 * too late and together pass the budget; the second one is refused instead (exit 2), naming
 * the holder. A lock left by a process of this host that no longer runs (killed with -9) is
 * stale: it is taken over, and the caller says so. A lock of another host is never judged
 * stale (its pid means nothing here): it is reported, with how to remove it.
 */
export function lockTrialLog(log: string, deps: LockDeps = processLockDeps): LogLock {
  const file = `${log}.lock`;
  const me: LockHolder = { pid: deps.pid, host: deps.host, started: deps.now().toISOString() };
  mkdirSync(dirname(file), { recursive: true });
  let tookOverFrom: LockHolder | undefined;
  for (let attempt = 0; ; attempt++) {
    if (tryCreate(file, me)) break;
    const holder = readHolder(file);
    if (holder === undefined) continue; // released meanwhile (or never written whole): try again
    const stale = holder.host === deps.host && !deps.isRunning(holder.pid);
    if (!stale || attempt > 0) throw lockedError(log, file, holder, stale);
    // take it over: remove it and create ours; a third process racing for it gets EEXIST above
    rmSync(file, { force: true });
    tookOverFrom = holder;
  }
  let held = true;
  return {
    file,
    tookOverFrom,
    release: () => {
      if (!held) return;
      held = false;
      // only ours: never remove a lock another process took over meanwhile
      if (readHolder(file)?.pid === me.pid && readHolder(file)?.host === me.host) rmSync(file, { force: true });
    },
  };
}

function tryCreate(file: string, me: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, `${JSON.stringify(me)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The holder named in a lock file; a file without a whole holder line counts as held by pid 0. */
function readHolder(file: string): LockHolder | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    if (typeof h.pid === 'number' && typeof h.host === 'string' && typeof h.started === 'string') return { pid: h.pid, host: h.host, started: h.started };
  } catch {
    // being written this very moment, or torn by a crash between create and write
  }
  return { pid: 0, host: '?', started: '?' };
}

/** How a holder is named in messages. */
export function describeHolder(h: LockHolder): string {
  return `pid ${h.pid} on ${h.host}, started ${h.started}`;
}

function lockedError(log: string, lockFile: string, holder: LockHolder, stale: boolean): AutotuneError {
  return new AutotuneError(`trial log ${log} is locked by another tune (${describeHolder(holder)})`, {
    code: 'E_LOG_LOCKED',
    exitCode: 2,
    file: log,
    hint: stale
      ? `that process no longer runs, but another one took the lock over at the same moment; try again`
      : `two tunes on one log would together pass the budget: wait for that one to finish, or give this one another log_file (--log-file). If no such process runs any more (another host, or a container that is gone), remove ${lockFile}`,
  });
}
