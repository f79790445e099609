// @ts-check
/**
 * Preloaded into a spawned CLI (`node --import bench/lib/probe.mjs bin/autotune.js …`): at exit it
 * writes the process's own resource usage to $BENCH_PROBE_FILE — peak RSS and CPU time, RSS
 * sampled every 100 ms (to see whether memory grows as the run goes on), and, when the process
 * runs with --expose-gc, the JS heap still in use after a full collection at exit (what the run
 * retained). The CLI itself is unchanged: the probe adds one exit listener and an unref'd timer.
 */
import { writeFileSync } from 'node:fs';

const out = process.env.BENCH_PROBE_FILE;
if (out) {
  const started = performance.now();
  /** @type {Array<[number, number]>} */
  const rss = [[0, process.memoryUsage.rss()]];
  const timer = setInterval(() => rss.push([performance.now() - started, process.memoryUsage.rss()]), 100);
  timer.unref();
  process.on('exit', () => {
    rss.push([performance.now() - started, process.memoryUsage.rss()]);
    const u = process.resourceUsage();
    const gc = /** @type {(() => void) | undefined} */ (/** @type {any} */ (globalThis).gc);
    let retainedHeap;
    if (gc) {
      gc();
      retainedHeap = process.memoryUsage().heapUsed;
    }
    writeFileSync(out, JSON.stringify({ maxRSSKB: u.maxRSS, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, uptimeMs: process.uptime() * 1000, rss, retainedHeap }));
  });
}
