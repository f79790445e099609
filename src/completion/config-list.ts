import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../errors.js';
import { hashOf } from '../util/canonical-json.js';
import type { Price } from '../pricing/price-table.js';
import { isSecretName } from '../util/redact.js';
import { expandEnvRefs, referencedVars, type Env } from './env-refs.js';
import { ENDPOINT_KEYS, type EndpointConfig } from './types.js';
import type { EndpointIdentity } from './build-request.js';

/** An endpoint with its `${VAR}` references expanded: held in memory only, never persisted. */
export interface ResolvedEndpoint {
  /** Position in the config list (`config_id`). */
  index: number;
  /** Identity of the endpoint (digest of URL, credentials and headers), stable across calls. */
  id: string;
  /** Where requests go, for logs and messages: base URL without credentials or query. */
  label: string;
  baseURL: string | undefined;
  apiKey: string;
  apiType: 'openai' | 'azure';
  apiVersion: string | undefined;
  organization: string | undefined;
  project: string | undefined;
  headers: Record<string, string>;
  /**
   * What must never be printed or stored: the API key, the values of credential headers, and
   * the values of credential-named variables the entry refers to (see util/redact.ts).
   */
  secrets: readonly string[];
  price: Price | undefined;
  /** Request parameters this entry overrides (model, max_tokens, …). */
  overrides: Record<string, unknown>;
}

const DEFAULT_AZURE_API_VERSION = '2024-06-01';

/**
 * Pick the config list: an explicit list wins, then a file (`--config-list`), then the
 * `OAI_CONFIG_LIST` environment variable (JSON text, or a path to a JSON/YAML file, as the
 * original's config_list_from_json), else one endpoint from `OPENAI_BASE_URL` and
 * `OPENAI_API_KEY`. Entries keep `${VAR}` references; see `resolveEndpoint`.
 */
export function selectConfigList(opts: { explicit?: readonly EndpointConfig[] | undefined; file?: string | undefined; env: Env }): EndpointConfig[] {
  if (opts.explicit && opts.explicit.length > 0) return [...opts.explicit];
  if (opts.file) return readConfigListFile(opts.file);
  const fromEnv = opts.env.OAI_CONFIG_LIST;
  if (fromEnv && fromEnv.trim() !== '') {
    const text = fromEnv.trim();
    if (text.startsWith('[')) return validateList(parseJson(text, 'OAI_CONFIG_LIST'), 'OAI_CONFIG_LIST');
    if (existsSync(text)) return readConfigListFile(text);
    throw new ConfigError('OAI_CONFIG_LIST is neither a JSON list nor an existing file', {
      field: 'OAI_CONFIG_LIST',
      hint: 'set it to a JSON list of endpoints, or to the path of a file holding one',
    });
  }
  return [defaultEndpoint(opts.env)];
}

/**
 * The endpoint used when no config list is given: OpenAI, or OPENAI_BASE_URL if set, with the
 * organization and project of OPENAI_ORG_ID and OPENAI_PROJECT_ID (as the openai SDK reads them).
 */
export function defaultEndpoint(env: Env): EndpointConfig {
  const entry: EndpointConfig = { api_key: '${OPENAI_API_KEY}' };
  if (env.OPENAI_BASE_URL) entry.base_url = '${OPENAI_BASE_URL}';
  if (env.OPENAI_ORG_ID) entry.organization = '${OPENAI_ORG_ID}';
  if (env.OPENAI_PROJECT_ID) entry.project = '${OPENAI_PROJECT_ID}';
  return entry;
}

/** Read a config list file (JSON or YAML: a list of endpoint objects). */
export function readConfigListFile(file: string): EndpointConfig[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config list ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
      file,
      hint: 'check the path given to --config-list or OAI_CONFIG_LIST',
    });
  }
  let value: unknown;
  try {
    value = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError(`config list ${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML/JSON'}: ${(err as Error).message}`, { file });
  }
  return validateList(value, file);
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${where} is not valid JSON: ${(err as Error).message}`, { field: where });
  }
}

/** Check the shape of a config list; each problem names the entry and key. */
export function validateList(value: unknown, where: string): EndpointConfig[] {
  if (!Array.isArray(value)) throw new ConfigError('config_list must be a list of endpoint objects', { file: where, field: 'config_list' });
  value.forEach((e, i) => {
    const field = `config_list[${i}]`;
    if (!e || typeof e !== 'object' || Array.isArray(e)) throw new ConfigError(`${field} must be an object`, { file: where, field });
    const entry = e as Record<string, unknown>;
    for (const k of ['base_url', 'api_key', 'api_version', 'organization', 'project', 'model'] as const) {
      if (entry[k] !== undefined && typeof entry[k] !== 'string') {
        throw new ConfigError(`${field}.${k} must be a string`, { file: where, field: `${field}.${k}` });
      }
    }
    if (entry.api_type !== undefined && entry.api_type !== 'openai' && entry.api_type !== 'azure') {
      throw new ConfigError(`${field}.api_type must be openai or azure, got ${JSON.stringify(entry.api_type)}`, {
        file: where,
        field: `${field}.api_type`,
      });
    }
    if (entry.price !== undefined && !isPrice(entry.price)) {
      throw new ConfigError(`${field}.price must be [prompt, completion] or [prompt, completion, cached prompt] USD per 1K tokens`, { file: where, field: `${field}.price` });
    }
  });
  return value as EndpointConfig[];
}

function isPrice(v: unknown): v is Price {
  return Array.isArray(v) && (v.length === 2 || v.length === 3) && v.every((x) => typeof x === 'number' && x >= 0 && Number.isFinite(x));
}

/**
 * Check before anything is sent that at least one endpoint has its variables set (API key,
 * URLs): throws the first entry's ConfigError (naming the variable) when none has.
 */
export function checkEndpoints(list: readonly EndpointConfig[], env: Env): void {
  let first: unknown;
  for (const [i, entry] of list.entries()) {
    try {
      resolveEndpoint(entry, i, env);
      return;
    } catch (err) {
      first ??= err;
    }
  }
  if (first !== undefined) throw first;
}

/** Expand one entry's references and split transport fields from request overrides. */
export function resolveEndpoint(entry: EndpointConfig, index: number, env: Env): ResolvedEndpoint {
  const field = (k: string): string => `config_list[${index}].${k}`;
  const str = (k: 'base_url' | 'api_key' | 'api_version' | 'organization' | 'project'): string | undefined => {
    const v = entry[k];
    return typeof v === 'string' && v !== '' ? expandEnvRefs(v, env, field(k)) : undefined;
  };
  const apiType = entry.api_type ?? 'openai';
  const baseURL = str('base_url');
  const apiKey = str('api_key');
  if (!apiKey) {
    throw new ConfigError(`no API key for config_list[${index}] (${labelOf(baseURL, apiType)})`, {
      code: 'E_API_KEY',
      field: field('api_key'),
      hint: 'set OPENAI_API_KEY, or api_key: "${MY_KEY_VAR}" in the config list',
    });
  }
  if (apiType === 'azure' && !baseURL) {
    throw new ConfigError(`azure endpoint config_list[${index}] needs base_url`, { field: field('base_url') });
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(entry.headers ?? {})) headers[k] = expandEnvRefs(String(v), env, field(`headers.${k}`));
  const overrides: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entry)) if (!(ENDPOINT_KEYS as readonly string[]).includes(k)) overrides[k] = v;
  const apiVersion = str('api_version') ?? (apiType === 'azure' ? DEFAULT_AZURE_API_VERSION : undefined);
  const organization = str('organization');
  const project = str('project');
  return {
    index,
    // who we talk to and as whom: a digest, so the key itself is never kept as a map key
    id: hashOf({ baseURL: baseURL ?? null, apiKey, apiType, apiVersion: apiVersion ?? null, organization: organization ?? null, ...(project ? { project } : {}), headers }).slice(0, 24),
    label: labelOf(baseURL, apiType),
    baseURL,
    apiKey,
    apiType,
    apiVersion,
    organization,
    project,
    headers,
    secrets: endpointSecrets(entry, apiKey, headers, env),
    price: entry.price as Price | undefined,
    overrides,
  };
}

function endpointSecrets(entry: EndpointConfig, apiKey: string, headers: Record<string, string>, env: Env): string[] {
  const secrets = [apiKey, ...Object.entries(headers).filter(([name]) => isSecretName(name)).map(([, v]) => v)];
  const texts = [entry.base_url, entry.api_key, entry.organization, entry.project, ...Object.values(entry.headers ?? {})];
  for (const text of texts) {
    if (typeof text !== 'string') continue;
    for (const name of referencedVars(text)) if (isSecretName(name) && env[name]) secrets.push(env[name] as string);
  }
  return secrets;
}

/**
 * What of an endpoint decides its answers, for the cache key: the base URL as the label shows it
 * (no credentials, no query, no trailing slash), the API type and the Azure api_version. Not the
 * key or headers: they say who asks, not who answers (and must never reach a key anyway).
 */
export function endpointIdentity(ep: ResolvedEndpoint): EndpointIdentity {
  return { base_url: ep.label, api_type: ep.apiType, api_version: ep.apiType === 'azure' ? (ep.apiVersion ?? null) : null };
}

function labelOf(baseURL: string | undefined, apiType: string): string {
  if (!baseURL) return 'https://api.openai.com/v1';
  try {
    const u = new URL(baseURL);
    return `${apiType === 'azure' ? 'azure:' : ''}${u.protocol}//${u.host}${u.pathname.replace(/\/$/, '')}`;
  } catch {
    return 'invalid-url';
  }
}
