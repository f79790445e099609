// @ts-check
/**
 * Runs independent measured jobs on a few lanes at once, each lane with its own fixture server
 * process, so that every job still sees a fresh server of its own (reset before it starts) and
 * its spend is that server's own count. Results come back in the order of the jobs.
 */
import { startServerProcess } from './server.mjs';

/**
 * @template J, R
 * @param {J[]} jobs
 * @param {number} lanes
 * @param {(job: J, server: import('./server.mjs').ServerProcess) => Promise<R>} run
 * @returns {Promise<R[]>}
 */
export async function runOnLanes(jobs, lanes, run) {
  const servers = await Promise.all(Array.from({ length: Math.max(1, Math.min(lanes, jobs.length)) }, () => startServerProcess({ latencyMs: 0 })));
  /** @type {R[]} */
  const results = new Array(jobs.length);
  let next = 0;
  try {
    await Promise.all(servers.map(async (server) => {
      while (next < jobs.length) {
        const i = next++;
        await server.reset();
        results[i] = await run(/** @type {J} */ (jobs[i]), server);
      }
    }));
  } finally {
    await Promise.all(servers.map((s) => s.close()));
  }
  return results;
}
