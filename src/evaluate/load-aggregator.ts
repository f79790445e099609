import { ConfigError } from '../errors.js';
import type { AggregationMethod, AggregatorFunction, AggregatorName } from './aggregators.js';
import { AGGREGATOR_NAMES, resolveAggregation } from './aggregators.js';
import type { SpecLocation } from './builtins/options.js';
import { locate } from './builtins/options.js';
import { describeExports, importUserModule } from '../config/user-module.js';

/**
 * Resolve an `--agg` value: a built-in name (`avg`, `median`, …) is returned as is; anything
 * else is a module path (resolved against `baseDir`) whose default export (or named export
 * `aggregate`) is a function `(values: number[]) => number` or an object mapping metric names
 * to such functions or built-in names. Mistakes are `ConfigError`s naming the module and its
 * exports.
 *
 * @example
 * await loadAggregator('median', '.');         // 'median'
 * await loadAggregator('./agg.mjs', process.cwd()); // e.g. { success: (v) => Math.min(...v) }
 */
export async function loadAggregator(spec: string, baseDir: string, where: SpecLocation = {}): Promise<AggregationMethod> {
  if ((AGGREGATOR_NAMES as readonly string[]).includes(spec)) return spec as AggregatorName;
  if (!/[\\/]|\.[cm]?js$/.test(spec)) {
    throw new ConfigError(`unknown aggregation '${spec}'`, {
      ...locate(where), hint: `use one of ${AGGREGATOR_NAMES.join(', ')} or a module path such as ./agg.mjs`,
    });
  }
  const { path, exports } = await importUserModule(spec, baseDir, where, 'aggregator');
  const candidate = exports['default'] ?? exports['aggregate'];
  if (typeof candidate === 'function') return candidate as AggregatorFunction;
  if (candidate !== null && typeof candidate === 'object' && !Array.isArray(candidate)) {
    const method = candidate as Record<string, AggregatorName | AggregatorFunction>;
    try {
      resolveAggregation(method, where);
    } catch (err) {
      throw new ConfigError(`aggregator module ${path}: ${(err as Error).message}`, {
        ...locate(where), cause: err, hint: 'map each metric name to a function (values: number[]) => number or a built-in name',
      });
    }
    return method;
  }
  throw new ConfigError(`aggregator module ${path} has no usable export: it exports ${describeExports(exports)}`, {
    ...locate(where),
    hint: 'export default a function (values: number[]) => number, or an object { metric: function }',
  });
}
