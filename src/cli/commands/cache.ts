import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_CACHE_ROOT } from '../../context.js';
import { ConfigError } from '../../errors.js';
import { runCacheClear, runCacheStats } from '../../ops/cache-op.js';
import { examples } from '../help.js';
import { colorsFor, envRedactor, writeLine, type CliIO } from '../io.js';
import { renderCacheStats, renderClearReport } from '../render/cache-report.js';
import { displayPath, formatBytes, plural } from '../render/units.js';

interface CacheFlags {
  seed?: string;
  cachePathRoot?: string;
  dryRun?: boolean;
  json?: boolean;
  all?: boolean;
  yes?: boolean;
}

/** `autotune cache clear|stats`: remove or inspect the response caches under a root. */
export function registerCache(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const cache = program
    .command('cache')
    .description('inspect or clear the response caches ({cache-path-root}/{seed})')
    .addHelpText(
      'after',
      examples([
        ['autotune cache stats', 'entries, size and hit rate per seed'],
        ['autotune cache clear --seed 41 --dry-run', 'what clearing seed 41 would remove'],
        ['autotune cache clear --all', "remove every seed's cache (answers already paid for)"],
      ]),
    );
  cache
    .command('clear')
    .description("remove a seed's cache, or every seed's (usage.sqlite and anything else is left alone)")
    .option('--seed <seed>', 'only this seed')
    .option('--all', 'every seed under the root, without asking (without --seed and --all: asked on a terminal, refused elsewhere)')
    .option('-y, --yes', 'same as --all')
    .option('--cache-path-root <dir>', 'cache root (default .cache)')
    .option('--dry-run', 'show what would be removed, remove nothing')
    .option('--json', 'print one JSON object on stdout')
    .action(async (flags: CacheFlags) => {
      if (!(await mayClearAll(io, flags))) return setExit(1);
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

/**
 * Every seed's cache holds answers already paid for: clearing them all takes `--all`/`--yes`,
 * or a yes from the person at the terminal. Without either it is a usage error (exit 2).
 */
async function mayClearAll(io: CliIO, flags: CacheFlags): Promise<boolean> {
  if (flags.seed !== undefined || flags.dryRun || flags.all || flags.yes) return true;
  const planned = runCacheClear({ cachePathRoot: rootOf(io, flags), dryRun: true });
  if (planned.cleared.length === 0) return true; // nothing to lose: say "No caches under …"
  const what = `${plural(planned.samples, 'cached sample')} of ${plural(planned.cleared.length, 'seed')} (${formatBytes(planned.bytes)}) under ${displayPath(io.cwd, planned.root)}`;
  if (io.confirm) {
    const yes = await io.confirm(`remove ${what}?`);
    if (!yes) writeLine(io.stderr, 'nothing removed');
    return yes;
  }
  throw new ConfigError(`cache clear without --seed would remove ${what}`, {
    field: '--all',
    hint: 'pass --all (or --yes) to remove every seed, --seed SEED for one, or --dry-run to look first',
  });
}

/** The cache root, relative to the working directory as for create, test and tune. */
function rootOf(io: CliIO, flags: CacheFlags): string {
  return resolve(io.cwd, flags.cachePathRoot ?? DEFAULT_CACHE_ROOT);
}

function print(io: CliIO, text: string): void {
  writeLine(io.stdout, text, envRedactor(io.env));
}
