import type { EngineEvent } from '../../index.js';
import type { CliContext } from '../command.js';
import { colorsFor, writeLine } from '../io.js';

/** Print engine events on stderr as warnings; each endpoint or model is reported once. */
export function eventPrinter({ io, redact }: CliContext, opts: { retries?: boolean } = {}): (e: EngineEvent) => void {
  const c = colorsFor(io, 'stderr');
  const seen = new Set<string>();
  const once = (key: string, text: string): void => {
    if (seen.has(key)) return;
    seen.add(key);
    writeLine(io.stderr, c.yellow(`warning: ${text}`), redact);
  };
  return (e) => {
    switch (e.type) {
      case 'unknown_price':
        once(`price:${e.model}`, `no price known for model ${e.model}: its cost counts as $0 (add it under prices: in the config)`);
        break;
      case 'cache_reset':
        once(`reset:${e.file}`, `cache ${e.file} was ${e.reason}: its ${e.dropped} stored sample${e.dropped === 1 ? ' is' : 's are'} removed, not reused (answers are now cached per endpoint)`);
        break;
      case 'endpoint_down':
        once(`down:${e.configId}`, `config ${e.configId} (${e.endpoint}) is down (${e.reason}); it is skipped for a while when another endpoint can answer`);
        break;
      case 'failover':
        // an endpoint just reported down needs no second line for the same refused connection
        if (e.kind === 'connection' && seen.has(`down:${e.configId}`)) break;
        once(`failover:${e.configId}:${e.kind}`, `config ${e.configId} (${e.endpoint}) failed (${e.kind}: ${e.message}); trying the next endpoint`);
        break;
      case 'usage_estimated':
        once(`usage:${e.configId}:${e.model}:${e.problem}`, `config ${e.configId} (${e.endpoint}), ${e.model}: ${e.detail}; costs from this endpoint are marked estimated (said once per endpoint)`);
        break;
      case 'n_limit':
        once(
          `n:${e.configId}:${e.model}`,
          `config ${e.configId} (${e.endpoint}) gives at most ${e.limit} sample${e.limit === 1 ? '' : 's'} per request for ${e.model} (asked for ${e.asked}: ${e.how === 'error' ? `it answered ${e.message ?? 'an error about n'}` : `it returned ${e.limit} choice${e.limit === 1 ? '' : 's'}`}); the other samples are drawn with more requests`,
        );
        break;
      case 'retry':
        if (opts.retries !== false) writeLine(io.stderr, c.dim(`retry: config ${e.configId} ${e.kind}, attempt ${e.attempt + 1} in ${(e.delayMs / 1000).toFixed(1)}s`), redact);
        break;
    }
  };
}

/** Re-exported here for commands that import their renderers from events.js. */
export { usageLogWarning } from './usage-warning.js';
