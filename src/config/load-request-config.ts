import { dirname } from 'node:path';
import { ConfigError } from '../errors.js';
import { validateList } from '../completion/config-list.js';
import type { ChatMessage, EndpointConfig, RequestParams, TemplateFunction } from '../completion/types.js';
import type { PriceTable } from '../pricing/price-table.js';
import { importFunction } from './load-module.js';
import { CONFIG_FILE_REQUEST_KEYS, RUN_SETTING_KEYS, parameterOfConfigKey } from './config-file-keys.js';
import { REQUEST_PARAMETERS, checkValue, describeRange } from './request-parameters.js';
import { closest, readYamlFile, type YamlSource } from './yaml-file.js';
import { isByteCount, parsePrices, parseSeed } from './common-fields.js';

/**
 * A config file for `create` and `test`: request parameters at the top level (a saved best
 * config from `tune --output` is one), plus autotune's run settings.
 */
export interface RequestConfigFile {
  file: string;
  baseDir: string;
  /** Request parameters; templates given as modules are already loaded functions. */
  params: Partial<RequestParams>;
  /** The raw, unexpanded values of the run keys (eval, metric, prices, config_list, …). */
  run: Partial<Record<(typeof RUN_SETTING_KEYS)[number], unknown>>;
  prices: PriceTable;
  configList: EndpointConfig[] | undefined;
  seed: string | undefined;
  source: YamlSource;
}

/** Load and validate a request config file. */
export async function loadRequestConfig(file: string): Promise<RequestConfigFile> {
  const source = readYamlFile(file);
  const value = source.value ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`${file} must be a mapping of keys to values`, { file, line: 1 });
  }
  const obj = value as Record<string, unknown>;
  const known = [...CONFIG_FILE_REQUEST_KEYS, ...RUN_SETTING_KEYS] as readonly string[];
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) {
      const guess = closest(key, known);
      throw new ConfigError(`unknown key ${key}`, {
        file,
        line: source.lineOf([key]),
        field: key,
        code: 'E_CONFIG_UNKNOWN_KEY',
        hint: guess ? `did you mean ${guess}?` : `known keys: ${known.join(', ')}`,
      });
    }
  }
  checkValues(obj, source);
  const baseDir = dirname(file);
  const params: Partial<RequestParams> = {};
  const raw = params as Record<string, unknown>;
  for (const key of CONFIG_FILE_REQUEST_KEYS) {
    if (obj[key] !== undefined) raw[parameterOfConfigKey(key)] = obj[key];
  }
  if (params.prompt !== undefined) params.prompt = await loadTemplate(params.prompt, baseDir, source, ['prompt']);
  if (params.messages !== undefined) params.messages = await loadMessages(params.messages, baseDir, source);
  const run: RequestConfigFile['run'] = {};
  for (const key of RUN_SETTING_KEYS) if (obj[key] !== undefined) run[key] = obj[key];
  const configList = obj.config_list === undefined ? undefined : validateWithLine(obj.config_list, source);
  return {
    file,
    baseDir,
    params,
    run,
    prices: parsePrices(obj.prices, source),
    configList,
    seed: parseSeed(obj.seed, source),
    source,
  };
}

/**
 * Types and ranges of the request parameters (n, max_tokens, temperature, stop, …) and of the
 * timeouts, checked before anything is sent: a value the API would refuse (or that would
 * silently request nothing, like `n: many`) is an error naming the file, line and key.
 */
function checkValues(obj: Record<string, unknown>, source: YamlSource): void {
  for (const [key, value] of Object.entries(obj)) {
    const spec = REQUEST_PARAMETERS[parameterOfConfigKey(key)];
    if (key === 'seed' || !spec || value === undefined) continue;
    if (spec.kind === 'template' || spec.kind === 'messages' || spec.kind === 'group') continue; // checked when loaded
    if (value === null && spec.kind !== 'model') continue; // null = leave the parameter out
    const problem = checkValue(spec, value);
    if (problem) {
      const range = spec.kind === 'number' || spec.kind === 'int' ? `: ${spec.kind === 'int' ? 'an integer' : 'a number'} ${describeRange(spec)}` : '';
      throw new ConfigError(`${key} ${problem}`, { file: source.file, line: source.lineOf([key]), field: key, code: 'E_CONFIG_FIELD', hint: `set ${key} to a valid value${range}` });
    }
  }
  for (const key of ['max_line_bytes', 'max_response_bytes'] as const) {
    const v = obj[key];
    if (v !== undefined && v !== null && !isByteCount(v)) {
      throw new ConfigError(`${key} must be a whole number of bytes >= 1, got ${JSON.stringify(v)}`, { file: source.file, line: source.lineOf([key]), field: key, code: 'E_CONFIG_FIELD', hint: `e.g. ${key}: 67108864 (64 MiB)` });
    }
  }
  // seconds; retry_timeout 0 means a single attempt per endpoint
  for (const [key, min] of [['request_timeout', 'positive'], ['retry_timeout', 'non-negative']] as const) {
    const v = obj[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (v === 0 && min === 'positive'))) {
      throw new ConfigError(`${key} must be a ${min} number of seconds, got ${JSON.stringify(v)}`, { file: source.file, line: source.lineOf([key]), field: key, code: 'E_CONFIG_FIELD', hint: `e.g. ${key}: ${key === 'request_timeout' ? 60 : 120}` });
    }
  }
}

function validateWithLine(v: unknown, source: YamlSource): EndpointConfig[] {
  try {
    return validateList(v, source.file);
  } catch (err) {
    if (err instanceof ConfigError && err.field) {
      const path = err.field.replace(/\[(\d+)\]/g, '.$1').split('.');
      throw new ConfigError(err.message, { file: source.file, line: source.lineOf(path), field: err.field, code: err.code });
    }
    throw err;
  }
}

/**
 * A template is a string, or `{module: ./prompts.mjs, export: name}`: a function called with
 * the context (row) that returns the text.
 */
export async function loadTemplate(v: unknown, baseDir: string, source: YamlSource, path: Array<string | number>): Promise<string | TemplateFunction> {
  if (typeof v === 'string') return v;
  const field = path.join('.');
  if (v && typeof v === 'object' && typeof (v as { module?: unknown }).module === 'string') {
    const spec = v as { module: string; export?: unknown };
    return importFunction<TemplateFunction>(spec.module, baseDir, { file: source.file, line: source.lineOf(path), field }, typeof spec.export === 'string' ? spec.export : undefined);
  }
  throw new ConfigError(`${field} must be a string template or {module: FILE, export: NAME}`, { file: source.file, line: source.lineOf(path), field });
}

async function loadMessages(v: unknown, baseDir: string, source: YamlSource): Promise<ChatMessage[] | TemplateFunction> {
  if (v && typeof v === 'object' && !Array.isArray(v)) return (await loadTemplate(v, baseDir, source, ['messages'])) as TemplateFunction;
  if (!Array.isArray(v) || v.length === 0) {
    throw new ConfigError('messages must be a non-empty list of {role, content}', { file: source.file, line: source.lineOf(['messages']), field: 'messages' });
  }
  const out: ChatMessage[] = [];
  for (const [i, m] of v.entries()) {
    if (!m || typeof m !== 'object' || typeof (m as ChatMessage).role !== 'string') {
      throw new ConfigError(`messages[${i}] must be an object with role and content`, { file: source.file, line: source.lineOf(['messages', i]), field: `messages[${i}]` });
    }
    const msg = { ...(m as ChatMessage) };
    if (msg.content !== undefined && typeof msg.content !== 'string') msg.content = await loadTemplate(msg.content, baseDir, source, ['messages', i, 'content']);
    out.push(msg);
  }
  return out;
}
