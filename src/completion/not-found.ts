import { ConfigError, ProviderError, type AttemptFailure } from '../errors.js';

/**
 * A request every endpoint answered with 404 is deterministic: asking again, or for another
 * row, gets the same answer. When the server's message names the model, the server does not
 * have that model; otherwise the URL is wrong (a base_url without `/v1`, a gateway path). Either
 * way it is the user's input: a ConfigError (exit 2) naming the model or the endpoint.
 * Undefined when the failures are not all 404s.
 */
export function notFoundError(model: string, failures: readonly AttemptFailure[], field: string): ConfigError | undefined {
  if (failures.length === 0 || !failures.every((f) => f.kind === 'not_found')) return undefined;
  const first = failures[0] as AttemptFailure;
  if (failures.some((f) => f.message.includes(model))) {
    return new ConfigError(`model ${model}: the server does not have it (404): ${first.message}`, {
      code: 'E_CONFIG_MODEL',
      field,
      hint: `fix the model's name in ${field} (or the endpoint in config_list); the server lists its models at GET {base_url}/models`,
    });
  }
  return new ConfigError(`404 at ${failures.map((f) => `config ${f.configId} (${f.endpoint})`).join(', ')}: ${first.message}`, {
    code: 'E_CONFIG_URL',
    field: 'config_list',
    hint: 'check base_url: OpenAI-compatible servers usually serve under /v1 (e.g. http://127.0.0.1:8080/v1)',
  });
}

/** `notFoundError` for an error the engine threw. */
export function notFoundOf(err: unknown, model: string, field: string): ConfigError | undefined {
  return err instanceof ProviderError ? notFoundError(model, err.failures, field) : undefined;
}
