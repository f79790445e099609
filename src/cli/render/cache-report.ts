import type { ChalkInstance } from 'chalk';
import type { CacheStatsReport, ClearReport } from '../../index.js';
import { renderTable } from './table.js';
import { formatBytes, formatCount, formatRate, plural } from './units.js';

/** `autotune cache clear` output: one line per seed, skipped directories, the total. */
export function renderClearReport(r: ClearReport, seed: string | undefined, c: ChalkInstance, show: (path: string) => string = (p) => p): string {
  if (r.cleared.length === 0 && r.skipped.length === 0) {
    return seed !== undefined ? `No cache for seed ${seed} under ${show(r.root)}.` : `No caches under ${show(r.root)}.`;
  }
  const out: string[] = [];
  for (const s of r.cleared) {
    const what = `${plural(s.samples, 'sample')} (${plural(s.requests, 'request')})`;
    if (s.action === 'would_remove') out.push(`would remove ${show(s.dir)}: ${what}, ${formatBytes(s.bytes)}`);
    else if (s.action === 'removed') out.push(`${c.green('removed')} ${show(s.dir)}: ${what}, ${formatBytes(s.freed_bytes)}`);
    else out.push(`${c.yellow('emptied')} ${show(s.dir)} in place (another process has it open): ${what}, ${formatBytes(s.freed_bytes)} freed`);
  }
  for (const s of r.skipped) out.push(c.dim(`skipped ${s.name}: ${s.reason}`));
  if (r.cleared.length > 0) {
    const verb = r.dry_run ? 'would remove' : 'removed';
    out.push(`${c.bold('total')}: ${verb} ${plural(r.samples, 'sample')}, ${formatBytes(r.bytes)}${r.dry_run ? c.dim(' (dry run: nothing was removed)') : ''}`);
  }
  return out.join('\n');
}

/** `autotune cache stats` output: a table per seed. */
export function renderCacheStats(r: CacheStatsReport, seed: string | undefined, c: ChalkInstance, show: (path: string) => string = (p) => p): string {
  if (r.seeds.length === 0 && r.skipped.length === 0) {
    return seed !== undefined ? `No cache for seed ${seed} under ${show(r.root)}.` : `No caches under ${show(r.root)}.`;
  }
  const out: string[] = [];
  if (r.seeds.length > 0) {
    const rows = r.seeds.map((s) => [s.seed, formatCount(s.requests), formatCount(s.samples), formatBytes(s.bytes), formatCount(s.cache_hits), formatCount(s.paid_requests), formatRate(s.hit_rate)]);
    out.push(renderTable(['seed', 'requests', 'samples', 'size', 'cache hits', 'paid requests', 'hit rate'], rows, c, { right: [1, 2, 3, 4, 5, 6] }));
    if (!r.usage_log) out.push(c.dim(`(no usage log under ${show(r.root)} yet: hit rates appear once tune, test or create ran)`));
    else out.push(c.dim('(hit rate: samples served from the cache / all samples served, from the usage log)'));
  }
  for (const s of r.skipped) out.push(c.dim(`skipped ${s.name}: ${s.reason}`));
  return out.join('\n');
}
