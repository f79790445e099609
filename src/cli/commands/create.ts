import { extractTextOrFunctionCall, runCreate, type CompletionResponse } from '../../index.js';
import { defineCommand, flag } from '../command.js';
import { colorsFor, terminalWidth, writeLine, type CliIO } from '../io.js';
import { collectVar, jsonObjectFlag } from '../options.js';
import { REQUEST_FLAGS, requestInputFromFlags } from '../shared-flags.js';
import { renderKeyValues, usd } from '../render/table.js';
import { eventPrinter } from '../render/events.js';
import { usageLogWarning } from '../render/usage-warning.js';

/** `autotune create`: one completion, printed as text or JSON. */
export const createCommand = defineCommand({
  name: 'create',
  description: 'make one completion: templated prompt/messages, config-list failover, retries, filter, cost',
  flags: {
    ...REQUEST_FLAGS,
    config: flag.string('<file>', 'YAML with model, prompt or messages, … (e.g. a saved best config)'),
    context: flag.parsed('<json>', 'JSON object filling {field} placeholders', jsonObjectFlag('--context')),
    var: flag.parsed('<key=value>', 'one context field (repeatable)', collectVar),
    filter: flag.string('<module>', 'module exporting (context, response) => boolean; a rejected answer moves on to the next endpoint'),
    cache: flag.negated('do not read the cache (answers are still stored)'),
    json: flag.switch('print the response as JSON on stdout'),
  },
  examples: [
    ['autotune create --model gpt-4o-mini --prompt "{problem} Answer with just the number." --var problem="2+3?"', 'one completion from flags'],
    ['autotune create --config best.yaml --context \'{"problem": "2+3?"}\'', 'the config saved by tune, on one row'],
    ['autotune create --config best.yaml --var problem="2+3?" --json', 'the whole response with cost, as JSON'],
  ],
  run: async ({ flags, ctx }) => {
    const { io } = ctx;
    const result = await runCreate({
      ...requestInputFromFlags(flags),
      context: { ...(flags.context), ...(flags.var) },
      filter: flags.filter,
      useCache: flags.cache,
      env: io.env,
      cwd: io.cwd,
      onEvent: eventPrinter(ctx),
      signal: io.signal,
      // every CLI run is logged to {cache-path-root}/usage.sqlite under a fresh run id
      run: { usageLog: { command: 'create', onError: usageLogWarning(ctx) } },
    });
    if ('failed' in result) return 0; // raiseOnFailure is on: failures throw
    if (flags.json) io.stdout.write(`${JSON.stringify(result)}\n`);
    else printResponse(io, result, ctx.redact);
    return 0;
  },
});

function printResponse(io: CliIO, r: CompletionResponse, redact: (s: string) => string): void {
  const c = colorsFor(io);
  const outputs = extractTextOrFunctionCall(r);
  outputs.forEach((o, i) => {
    if (outputs.length > 1) writeLine(io.stdout, c.dim(`--- choice ${i} (${String(r.choices[i]?.finish_reason ?? '')})`));
    writeLine(io.stdout, typeof o === 'string' ? o : JSON.stringify(o, null, 2), redact);
  });
  writeLine(io.stdout, '');
  writeLine(
    io.stdout,
    renderKeyValues(
      [
        ['model', r.model],
        ['cost', `${usd(r.cost)} at list price, ${usd(r.paid)} paid now`],
        ['cached', r.cached ? 'yes' : r.cached_choices > 0 ? `${r.cached_choices} of ${r.choices.length} choices` : 'no'],
        ['config_id', String(r.config_id)],
        ['pass_filter', String(r.pass_filter)],
        ['tokens', tokensLine(r.usage)],
      ],
      c,
      terminalWidth(io),
    ),
  );
}

/** `2000 prompt (1536 cached) + 700 completion (500 reasoning)`: the details only when there are some. */
function tokensLine(u: CompletionResponse['usage']): string {
  const cached = u.prompt_tokens_details?.cached_tokens ?? 0;
  const reasoning = u.completion_tokens_details?.reasoning_tokens ?? 0;
  return `${u.prompt_tokens} prompt${cached > 0 ? ` (${cached} cached)` : ''} + ${u.completion_tokens} completion${reasoning > 0 ? ` (${reasoning} reasoning)` : ''}`;
}
