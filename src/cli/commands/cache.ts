import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_CACHE_ROOT } from '../../context.js';
import { runCacheClear, runCacheStats } from '../../ops/cache-op.js';
import { colorsFor, envRedactor, writeLine, type CliIO } from '../io.js';
import { renderCacheStats, renderClearReport } from '../render/cache-report.js';
import { displayPath } from '../render/units.js';

interface CacheFlags {
  seed?: string;
  cachePathRoot?: string;
  dryRun?: boolean;
  json?: boolean;
}

/** `autotune cache clear|stats`: remove or inspect the response caches under a root. */
export function registerCache(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const cache = program.command('cache').description('inspect or clear the response caches ({cache-path-root}/{seed})');
  cache
    .command('clear')
    .description("remove a seed's cache, or every seed's (usage.sqlite and anything else is left alone)")
    .option('--seed <seed>', 'only this seed (default: every seed under the root)')
    .option('--cache-path-root <dir>', 'cache root (default .cache)')
    .option('--dry-run', 'show what would be removed, remove nothing')
    .option('--json', 'print one JSON object on stdout')
    .action((flags: CacheFlags) => {
      const report = runCacheClear({ cachePathRoot: rootOf(io, flags), seed: flags.seed, dryRun: flags.dryRun });
      print(io, flags.json ? JSON.stringify(report) : renderClearReport(report, flags.seed, colorsFor(io), (p) => displayPath(io.cwd, p)));
      setExit(0);
    });
  cache
    .command('stats')
    .description('entries, size and hit rate (from the usage log) per seed')
    .option('--seed <seed>', 'only this seed (default: every seed under the root)')
    .option('--cache-path-root <dir>', 'cache root (default .cache)')
    .option('--json', 'print one JSON object on stdout')
    .action((flags: CacheFlags) => {
      const report = runCacheStats({ cachePathRoot: rootOf(io, flags), seed: flags.seed });
      print(io, flags.json ? JSON.stringify(report) : renderCacheStats(report, flags.seed, colorsFor(io), (p) => displayPath(io.cwd, p)));
      setExit(0);
    });
}

/** The cache root, relative to the working directory as for create, test and tune. */
function rootOf(io: CliIO, flags: CacheFlags): string {
  return resolve(io.cwd, flags.cachePathRoot ?? DEFAULT_CACHE_ROOT);
}

function print(io: CliIO, text: string): void {
  writeLine(io.stdout, text, envRedactor(io.env));
}
