/** A chat message as sent to the API. `content` may be a template before instantiation. */
export interface ChatMessage {
  role: string;
  content?: unknown;
  name?: string;
  [key: string]: unknown;
}

/** A row or any object whose fields fill `{field}` placeholders. */
export type TemplateContext = Readonly<Record<string, unknown>>;

/** A template given as a JS function: called with the context, returns the text (or messages). */
export type TemplateFunction = (context: TemplateContext) => unknown;

/** A prompt or message content: a `{field}` string template or a function. */
export type Template = string | TemplateFunction;

/**
 * The request parameters of one completion ("**config" in the original): `model`, `prompt`
 * or `messages`, and any OpenAI parameter (n, max_tokens, temperature, top_p, stop, …).
 */
export interface RequestParams {
  model: string;
  prompt?: Template;
  messages?: readonly ChatMessage[] | TemplateFunction;
  n?: number;
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  stop?: string | readonly string[] | null;
  [key: string]: unknown;
}

/** One endpoint of a config list. Values may hold `${ENV_VAR}` references, expanded at use time. */
export interface EndpointConfig {
  base_url?: string;
  api_key?: string;
  api_type?: 'openai' | 'azure';
  api_version?: string;
  organization?: string;
  /** OpenAI project the requests are billed to (the `OpenAI-Project` header). */
  project?: string;
  /** USD per 1K [prompt, completion] tokens for this endpoint, overriding the price tables. */
  price?: readonly [number, number];
  /** Extra HTTP headers (e.g. a gateway's). */
  headers?: Readonly<Record<string, string>>;
  /** Any request parameter (model, max_tokens…) overrides the call's for this endpoint. */
  [key: string]: unknown;
}

/** The endpoint fields that select transport and credentials: never part of a cache key. */
export const ENDPOINT_KEYS = ['base_url', 'api_key', 'api_type', 'api_version', 'organization', 'project', 'price', 'headers'] as const;

/** A finished completion: the OpenAI response object plus autotune's bookkeeping. */
export interface CompletionResponse {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: Array<Record<string, unknown> & { index: number; finish_reason?: string | null }>;
  usage: {
    prompt_tokens: number;
    /** Hidden reasoning tokens included. */
    completion_tokens: number;
    total_tokens: number;
    /** Prompt tokens the provider's prompt cache served (billed at the cached-input price); 0 for an answer from autotune's cache. */
    prompt_tokens_details?: { cached_tokens: number };
    /** Reasoning tokens among completion_tokens (0 for an answer from autotune's cache). */
    completion_tokens_details?: { reasoning_tokens: number };
  };
  /** USD the response is worth at list price, as one request for all its choices (cached or not). */
  cost: number;
  /** USD actually spent by this call: 0 when served from the cache; includes filtered-out tries. */
  paid: number;
  /** Index of the config_list entry that answered. */
  config_id: number;
  /** Whether the filter accepted it (true when there is no filter). */
  pass_filter: boolean;
  /** Completion tokens of each choice (the API reports only the sum; shares follow text length). */
  choice_tokens: number[];
  /** True when every choice came from the cache; `cached_choices` says how many did. */
  cached: boolean;
  cached_choices: number;
  /** Present when the server's usage of a new answer could not be trusted: its tokens and `paid` are autotune's count (usage-check.ts). */
  usage_estimated?: true;
}
