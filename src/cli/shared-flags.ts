import { REQUEST_PARAMETERS, type RequestConfigInput, type RequestParams } from '../index.js';
import { flag, type Flag, type FlagValues } from './command.js';
import { evalFlag, numberFlag } from './options.js';

/** Flags several commands take, declared once here. */
export const COMMON_FLAGS = {
  seed: flag.string('<seed>', 'cache seed (default 41)'),
  cachePathRoot: flag.string('<dir>', 'cache root (default .cache)'),
  configList: flag.string('<file>', 'JSON/YAML list of endpoints tried in order (default: OAI_CONFIG_LIST, then OPENAI_API_KEY/OPENAI_BASE_URL)'),
  concurrency: flag.parsed('<n>', 'requests in flight at once (default 8)', numberFlag('--concurrency', { integer: true, min: 1 })),
  json: flag.switch('print one JSON object on stdout'),
} as const;

/** `--eval` and `--eval-field` (test and tune). */
export const EVAL_FLAGS = {
  eval: flag.parsed('<spec>', 'eval module, builtin:NAME, or a built-in with options as JSON: \'{"builtin": "answer_vote", "field": "solution"}\'', evalFlag),
  evalField: flag.string('<field>', 'row field holding the expected answer, for a built-in --eval'),
} as const;

/**
 * The request flags of create and test (they override a --config file's values): model, prompt
 * and messages, every parameter the registry gives a flag (config/request-parameters.ts), and
 * where requests go. A flag added here (and read in requestInputFromFlags) is a flag of both.
 */
export const REQUEST_FLAGS = {
  configList: COMMON_FLAGS.configList,
  seed: COMMON_FLAGS.seed,
  cachePathRoot: COMMON_FLAGS.cachePathRoot,
  model: flag.string('<model>', 'model name (overrides the config)'),
  prompt: flag.string('<template>', 'prompt template with {field} placeholders (overrides the config)'),
  messages: flag.string('<file>', 'JSON file with a list of {role, content} messages (overrides the config)'),
  // typed as a record: requestParamsFromFlags reads them by the registry's keys
  ...(Object.fromEntries(
    Object.entries(REQUEST_PARAMETERS).flatMap(([key, spec]) => {
      if (!spec.flag) return [];
      const name = `--${key.replaceAll('_', '-')}`;
      const { help, short } = spec.flag;
      const more = short ? { short } : {};
      const numeric = spec.kind === 'int' || spec.kind === 'number';
      const parsed: Flag<unknown> = numeric
        ? flag.parsed(spec.flag.value ?? '<n>', help, numberFlag(name, { integer: spec.kind === 'int', ...(spec.min !== undefined ? { min: spec.min } : {}), ...(spec.max !== undefined ? { max: spec.max } : {}) }), more)
        : spec.kind === 'stop'
          ? flag.list(spec.flag.value ?? '<s...>', help)
          : flag.string(spec.flag.value ?? '<value>', help, more);
      return [[camel(key), parsed]];
    }),
  ) as Readonly<Record<string, Flag<unknown>>>),
};

/**
 * What the request flags (and `--config`) give the request config resolver, for create and test
 * (config/request-config.ts); undefined where a flag was not given.
 */
export function requestInputFromFlags(flags: FlagValues<typeof REQUEST_FLAGS> & { config?: string | undefined }): Omit<RequestConfigInput, 'env' | 'cwd'> {
  const params: Record<string, unknown> = { model: flags.model, prompt: flags.prompt };
  const given = flags as Readonly<Record<string, unknown>>;
  for (const [key, spec] of Object.entries(REQUEST_PARAMETERS)) if (spec.flag) params[key] = given[camel(key)];
  return {
    configFile: flags.config,
    params: params as Partial<RequestParams>,
    // a file the resolver reads, relative to the working directory
    messagesFile: flags.messages,
    configListFile: flags.configList,
    seed: flags.seed,
    cachePathRoot: flags.cachePathRoot,
  };
}

function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}
