import { ConfigError, runCacheClear, runCacheStats } from '../../index.js';
import { defineCommand, flag, type CliContext, type CommandGroup } from '../command.js';
import { colorsFor, writeLine } from '../io.js';
import { renderCacheStats, renderClearReport } from '../render/cache-report.js';
import { displayPath, formatBytes, plural } from '../render/units.js';
import { COMMON_FLAGS } from '../shared-flags.js';

const clearCommand = defineCommand({
  name: 'clear',
  description: "remove a seed's cache, or every seed's (usage.sqlite and anything else is left alone)",
  flags: {
    seed: flag.string('<seed>', 'only this seed'),
    all: flag.switch('every seed under the root, without asking (without --seed and --all: asked on a terminal, refused elsewhere)'),
    yes: flag.switch('same as --all', { short: 'y' }),
    cachePathRoot: COMMON_FLAGS.cachePathRoot,
    dryRun: flag.switch('show what would be removed, remove nothing'),
    json: COMMON_FLAGS.json,
  },
  run: async ({ flags, ctx }) => {
    const where = { cachePathRoot: flags.cachePathRoot, cwd: ctx.io.cwd };
    if (!(await mayClearAll(ctx, where, flags))) return 1;
    const report = runCacheClear({ ...where, seed: flags.seed, dryRun: flags.dryRun });
    print(ctx, flags.json ? JSON.stringify(report) : renderClearReport(report, flags.seed, colorsFor(ctx.io), (p) => displayPath(ctx.io.cwd, p)));
    return 0;
  },
});

const statsCommand = defineCommand({
  name: 'stats',
  description: 'entries, size and hit rate (from the usage log) per seed',
  flags: {
    seed: flag.string('<seed>', 'only this seed (default: every seed under the root)'),
    cachePathRoot: COMMON_FLAGS.cachePathRoot,
    json: COMMON_FLAGS.json,
  },
  run: ({ flags, ctx }) => {
    const report = runCacheStats({ cachePathRoot: flags.cachePathRoot, seed: flags.seed, cwd: ctx.io.cwd });
    print(ctx, flags.json ? JSON.stringify(report) : renderCacheStats(report, flags.seed, colorsFor(ctx.io), (p) => displayPath(ctx.io.cwd, p)));
    return 0;
  },
});

/** `autotune cache clear|stats`: remove or inspect the response caches under a root. */
export const cacheCommand: CommandGroup = {
  name: 'cache',
  description: 'inspect or clear the response caches ({cache-path-root}/{seed})',
  examples: [
    ['autotune cache stats', 'entries, size and hit rate per seed'],
    ['autotune cache clear --seed 41 --dry-run', 'what clearing seed 41 would remove'],
    ['autotune cache clear --all', "remove every seed's cache (answers already paid for)"],
  ],
  commands: [clearCommand, statsCommand],
};

/**
 * Every seed's cache holds answers already paid for: clearing them all takes `--all`/`--yes`,
 * or a yes from the person at the terminal. Without either it is a usage error (exit 2).
 */
async function mayClearAll(
  { io }: CliContext,
  where: { cachePathRoot: string | undefined; cwd: string },
  flags: { seed?: string | undefined; dryRun?: boolean | undefined; all?: boolean | undefined; yes?: boolean | undefined },
): Promise<boolean> {
  if (flags.seed !== undefined || flags.dryRun || flags.all || flags.yes) return true;
  const planned = runCacheClear({ ...where, dryRun: true });
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

function print({ io, redact }: CliContext, text: string): void {
  writeLine(io.stdout, text, redact);
}
