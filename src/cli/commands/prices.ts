import { runPrices, type PriceRow } from '../../index.js';
import { defineCommand, flag } from '../command.js';
import { colorsFor, writeLine } from '../io.js';
import { renderTable } from '../render/table.js';
import { displayPath } from '../render/units.js';

/** `autotune prices [MODEL…]`: the price table a run would use, with a config's `prices:` over the built-in one. */
export const pricesCommand = defineCommand({
  name: 'prices',
  description: 'the prices a run would use (USD per 1M tokens: input, cached input, output), with --config its prices: overrides',
  args: [{ name: 'models', help: 'models to price (default: every model of the table)', variadic: true }],
  flags: {
    config: flag.string('<file>', 'a create/test/tune config whose prices: override the built-in table'),
    json: flag.switch('print one JSON object on stdout (USD per 1K tokens, as in configs)'),
  },
  run: ({ flags, args, ctx }) => {
    const { io, redact } = ctx;
    const { rows, config } = runPrices({ models: (args[0] as string[] | undefined) ?? [], configFile: flags.config, cwd: io.cwd });
    const missing = rows.filter((r) => r.source === 'none').map((r) => r.model);
    if (flags.json) {
      writeLine(io.stdout, JSON.stringify({ unit: 'USD per 1K tokens', config, prices: rows }));
    } else {
      const c = colorsFor(io);
      writeLine(io.stdout, `${c.bold('Prices')} (USD per 1M tokens${config ? `; prices: of ${displayPath(io.cwd, config)} over the built-in table` : ''})`);
      writeLine(io.stdout, renderTable(['model', 'input', 'cached input', 'output', 'source'], rows.map(row), c, { right: [1, 2, 3] }), redact);
    }
    if (missing.length > 0) {
      const c = colorsFor(io, 'stderr');
      writeLine(io.stderr, c.yellow(`warning: no price for ${missing.join(', ')}: a run costs it $0 with a warning, and tune under a budget refuses it (add it under prices:)`));
    }
    return missing.length > 0 ? 1 : 0;
  },
});

/** USD per 1K tokens → per 1M, as OpenAI publishes them. */
function perMillion(v: number | null): string {
  return v === null ? '–' : `$${Number((v * 1000).toPrecision(6))}`;
}

function row(r: PriceRow): string[] {
  const source = r.source === 'none' ? 'no price' : r.matched && r.matched !== r.model ? `${r.source} (as ${r.matched})` : r.source;
  return [r.model, perMillion(r.input), perMillion(r.cached_input), perMillion(r.output), source];
}
