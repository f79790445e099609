import type { Command } from 'commander';
import { extractTextOrFunctionCall, runCreate, type CompletionResponse } from '../../index.js';
import { examples } from '../help.js';
import { colorsFor, envRedactor, terminalWidth, writeLine, type CliIO } from '../io.js';
import { collectVar, jsonObjectFlag } from '../options.js';
import { addRequestOptions, requestParamsFromFlags, type RequestFlags } from '../request-flags.js';
import { renderKeyValues, usd } from '../render/table.js';
import { eventPrinter } from '../render/events.js';
import { usageLogWarning } from '../render/usage-warning.js';

interface CreateFlags extends RequestFlags {
  config?: string;
  context?: Record<string, unknown>;
  var?: Record<string, string>;
  configList?: string;
  filter?: string;
  seed?: string;
  cachePathRoot?: string;
  cache: boolean;
  json?: boolean;
}

/** `autotune create`: one completion, printed as text or JSON. */
export function registerCreate(program: Command, io: CliIO, setExit: (code: number) => void): void {
  addRequestOptions(program.command('create').description('make one completion: templated prompt/messages, config-list failover, retries, filter, cost'))
    .option('--config <file>', 'YAML with model, prompt or messages, … (e.g. a saved best config)')
    .option('--context <json>', 'JSON object filling {field} placeholders', jsonObjectFlag('--context'))
    .option('--var <key=value>', 'one context field (repeatable)', collectVar)
    .option('--config-list <file>', 'JSON/YAML list of endpoints tried in order (default: OAI_CONFIG_LIST, then OPENAI_API_KEY/OPENAI_BASE_URL)')
    .option('--filter <module>', 'module exporting (context, response) => boolean; a rejected answer moves on to the next endpoint')
    .option('--seed <seed>', 'cache seed (default 41)')
    .option('--cache-path-root <dir>', 'cache root (default .cache)')
    .option('--no-cache', 'do not read the cache (answers are still stored)')
    .option('--json', 'print the response as JSON on stdout')
    .addHelpText(
      'after',
      examples([
        ['autotune create --model gpt-4o-mini --prompt "{problem} Answer with just the number." --var problem="2+3?"', 'one completion from flags'],
        ['autotune create --config best.yaml --context \'{"problem": "2+3?"}\'', 'the config saved by tune, on one row'],
        ['autotune create --config best.yaml --var problem="2+3?" --json', 'the whole response with cost, as JSON'],
      ]),
    )
    .action(async (flags: CreateFlags) => {
      const redact = envRedactor(io.env);
      const result = await runCreate({
        configFile: flags.config,
        params: requestParamsFromFlags(flags),
        messagesFile: flags.messages,
        context: { ...flags.context, ...flags.var },
        configListFile: flags.configList,
        filterModule: flags.filter,
        useCache: flags.cache,
        seed: flags.seed,
        cachePathRoot: flags.cachePathRoot,
        env: io.env,
        cwd: io.cwd,
        onEvent: eventPrinter(io),
        signal: io.signal,
        // every CLI run is logged to {cache-path-root}/usage.sqlite under a fresh run id
        run: { usageLog: { command: 'create', onError: usageLogWarning(io) } },
      });
      if ('failed' in result) return; // raiseOnFailure is on: failures throw
      if (flags.json) {
        io.stdout.write(`${JSON.stringify(result)}\n`);
      } else {
        printResponse(io, result, redact);
      }
      setExit(0);
    });
}

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
