import { ConfigError } from '../errors.js';
import { instantiateMessages, instantiatePrompt } from './template.js';
import type { ChatMessage, RequestParams, TemplateContext } from './types.js';
import { capKeyFor, capabilitiesOf, checkRequestParams, type CapabilityOverrides } from './model-capabilities.js';
import { renameCap } from './token-limit.js';

/** Which OpenAI endpoint a model is served on (`responses`: the Responses API, for models only it serves). */
export type ApiKind = 'chat' | 'completion' | 'responses';

/** The body of one HTTP request, ready to send (templates filled, autotune-only keys removed). */
export interface BuiltRequest {
  api: ApiKind;
  body: Record<string, unknown>;
}

/**
 * Keys that are autotune's own settings, not OpenAI parameters: they are stripped before the
 * request is sent and never enter the cache key (the original leaked `seed`,
 * `max_retry_period`… into requests and cache keys; AutoGen issues #808/#884).
 */
export const NON_REQUEST_KEYS = new Set([
  // credentials and transport: never sent in a body, never in a cache key, even if a caller
  // puts them among the request parameters
  'api_key',
  'base_url',
  'api_base',
  'api_type',
  'api_version',
  'organization',
  'project',
  'headers',
  'price',
  'allow_format_str_template',
  'request_timeout',
  'retry_timeout',
  'max_retry_period',
  'retry_wait_time',
  'cache_seed',
  'use_cache',
  'api',
]);

/**
 * Legacy completion models (served on /v1/completions). Everything else is a chat model: the
 * original's exact-match set of chat models sent every newer chat model to the wrong endpoint.
 * A config can force the endpoint with `api: chat|completion|responses`.
 */
export function apiKindOf(model: string, forced?: unknown): ApiKind {
  if (forced === 'chat' || forced === 'completion' || forced === 'responses') return forced;
  if (/^(text-|code-)/.test(model)) return 'completion';
  if (/^(ada|babbage|curie|davinci)(-\d+)?$/.test(model)) return 'completion';
  if (/-instruct(-\d+)?$/.test(model)) return 'completion';
  return 'chat';
}

/**
 * Build the HTTP request for `params` and a context. A prompt for a chat model becomes one
 * user message; messages for a completion model are an error (the original sent them anyway).
 * The completion-token cap goes under the name the model takes (`max_tokens` of a config is
 * sent to a reasoning model as `max_completion_tokens`), and a parameter the model refuses is a
 * ConfigError before anything is sent (model-capabilities.ts).
 */
export function buildRequest(given: RequestParams, context: TemplateContext | undefined, allowFormat = true, capabilities?: CapabilityOverrides): BuiltRequest {
  const { model, prompt, messages } = given;
  if (typeof model !== 'string' || model === '') {
    throw new ConfigError('no model given', { field: 'model', hint: 'set model: in the config, or pass --model' });
  }
  checkRequestParams(given, capabilities);
  const capKey = capKeyFor(given, capabilities);
  const params = capKey === undefined ? given : renameCap(given, capKey);
  // a model only the Responses API serves (model-capabilities.ts) goes there unless a config says otherwise
  const api = params.api === undefined && capabilitiesOf(model, capabilities)?.api === 'responses' ? 'responses' : apiKindOf(model, params.api);
  const ctx = context ?? {};
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || NON_REQUEST_KEYS.has(k) || k === 'prompt' || k === 'messages') continue;
    body[k] = v;
  }
  if (prompt !== undefined && messages !== undefined) {
    throw new ConfigError('both prompt and messages are given', { field: 'prompt', hint: 'keep one of them' });
  }
  if (api !== 'completion') {
    if (messages !== undefined) body.messages = instantiateMessages(messages, ctx, allowFormat);
    else if (prompt !== undefined) body.messages = [{ role: 'user', content: instantiatePrompt(prompt, ctx, allowFormat) }];
    else throw new ConfigError(`either prompt or messages is needed for chat model ${model}`, { field: 'prompt' });
  } else {
    if (messages !== undefined) {
      throw new ConfigError(`${model} is a legacy completion model and takes a prompt, not messages`, {
        field: 'messages',
        hint: 'use prompt:, or set api: chat if the endpoint serves it as a chat model',
      });
    }
    if (prompt === undefined) throw new ConfigError(`a prompt is needed for completion model ${model}`, { field: 'prompt' });
    body.prompt = instantiatePrompt(prompt, ctx, allowFormat);
  }
  if (body.stop === null) delete body.stop;
  return { api, body };
}

/** Where a request is answered, as far as it decides the answer: see `endpointIdentity` in config-list.ts. */
export interface EndpointIdentity {
  base_url: string;
  api_type: string;
  api_version: string | null;
}

/**
 * The identity of a request for the cache: the endpoint that answers it (base URL without
 * credentials or query, API type and Azure api_version; an Azure deployment is the request's
 * model) and everything that changes what the model may answer (endpoint kind, model,
 * prompt/messages after templating, sampling parameters, stop, penalties, tools, seed,
 * response_format…). Two servers serving a model of the same name are different models. `n`
 * is left out on purpose: samples are stored one by one under this key, so a request for n is
 * served by the first n. Credentials, headers, timeouts and retry settings are never in the
 * key. `stop: "x"` and `stop: ["x"]` are the same request.
 */
export function cacheIdentity(req: BuiltRequest, endpoint: EndpointIdentity): Record<string, unknown> {
  const { n: _n, stream: _stream, user: _user, ...rest } = req.body;
  if (typeof rest.stop === 'string') rest.stop = [rest.stop];
  return { endpoint, api: req.api, ...rest };
}

/**
 * Texts of a request that count as prompt tokens, for token bounds and estimates: the prompt or
 * each message's content, and the tool and function definitions and a JSON schema response
 * format, which the model also reads.
 */
export function promptTexts(req: BuiltRequest): string[] {
  const texts: string[] = [];
  if (typeof req.body.prompt === 'string') texts.push(req.body.prompt);
  else {
    const msgs = (req.body.messages ?? []) as ChatMessage[];
    for (const m of msgs) texts.push(typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? ''));
  }
  for (const k of ['tools', 'functions', 'response_format'] as const) if (req.body[k] !== undefined && req.body[k] !== null) texts.push(JSON.stringify(req.body[k]));
  return texts;
}
