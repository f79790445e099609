/**
 * The one place that decides what is a secret and hides it. Only known secrets are redacted:
 * the API keys in use, the values of credential headers, and the values of environment
 * variables whose names say they hold one. Everything else prints as is, so that
 * `x-portkey-provider: openai` or a base URL stay readable when debugging a gateway.
 */

/** What replaces a secret. */
export const REDACTED = '***';

/** Shorter values are not treated as secrets: replacing `1` or `on` everywhere would garble output. */
const MIN_SECRET_LENGTH = 6;

/**
 * Words that mark a header or variable name as holding a credential. Names are split into
 * words (at `-`, `_`, and lower-to-upper case changes), so `X-Api-Key`, `OPENAI_API_KEY`,
 * `x-gateway-token` and `apiKey` are credentials while `x-portkey-provider` (the word is
 * `portkey`) and `SSH_AUTH_SOCK` are not.
 */
const SECRET_WORDS = new Set(['key', 'apikey', 'token', 'secret', 'password', 'passwd', 'authorization', 'cookie', 'credential', 'credentials', 'signature']);

/** True when a header or environment variable name says its value is a credential. */
export function isSecretName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return words.some((w) => SECRET_WORDS.has(w));
}

/** The values of the environment variables whose names say they hold a credential. */
export function secretEnvValues(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(env)
    .filter(([k, v]) => typeof v === 'string' && isSecretName(k))
    .map(([, v]) => v as string);
}

/** A function that replaces every given secret (long enough to be one) with `***`. */
export type Redactor = (text: string) => string;

/** Build a redactor for these secrets (longest first, so a key that contains another is hidden whole). */
export function redactorOf(secrets: Iterable<string | undefined>): Redactor {
  const list = [...new Set([...secrets].filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
  if (list.length === 0) return (text) => text;
  return (text) => list.reduce((out, secret) => (out.includes(secret) ? out.split(secret).join(REDACTED) : out), text);
}

/**
 * Also hides credentials by their shape, for text printed by code that does not know the
 * secrets (Node's `NODE_DEBUG=http` dumps request headers): `Bearer <token>`, and the value of
 * a quoted credential header (`'api-key': '…'`, `"x-api-key": "…"`).
 */
export function redactCredentialShapes(text: string): string {
  return text
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/g, `$1 ${REDACTED}`)
    .replace(/(['"]?)([A-Za-z0-9_-]+)\1(\s*[:=]\s*)(['"])([^'"\n]{6,})\4/g, (m, q: string, name: string, sep: string, vq: string, value: string) =>
      isSecretName(name) && !value.includes(REDACTED) ? `${q}${name}${q}${sep}${vq}${REDACTED}${vq}` : m,
    );
}
