/**
 * What a server said when it refused a request, whatever the shape of its error body. OpenAI
 * puts it in `error.message`; gateways and local servers use others: Portkey
 * `{"status": "failure", "message": …}`, older vLLM `{"object": "error", "message": …}` at the
 * top level, FastAPI servers (llama-cpp-python) `{"detail": …}`, Ollama's native API
 * `{"error": "…"}`, and proxies plain text or HTML. The openai client only understands the
 * first and prints "400 status code (no body)" for the others.
 */

/** The most of a server's message kept in errors and the usage log. */
export const SERVER_MESSAGE_LIMIT = 300;

/** The message in a parsed error body (JSON) or its text, or undefined when there is none. */
export function serverMessage(body: unknown, text?: string): string | undefined {
  const found = body === undefined || body === null ? undefined : fromJson(body);
  const raw = found ?? (typeof text === 'string' ? plainText(text) : undefined);
  if (raw === undefined || raw.trim() === '') return undefined;
  const flat = raw.replace(/\s+/g, ' ').trim();
  return flat.length > SERVER_MESSAGE_LIMIT ? `${flat.slice(0, SERVER_MESSAGE_LIMIT - 1)}…` : flat;
}

function fromJson(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  if (typeof body !== 'object' || body === null) return JSON.stringify(body);
  const b = body as Record<string, unknown>;
  const error = b.error;
  if (typeof error === 'string') return error;
  if (error && typeof error === 'object') {
    const m = (error as Record<string, unknown>).message;
    if (typeof m === 'string' && m !== '') return m;
    if (m !== undefined && m !== null) return JSON.stringify(m);
  }
  if (typeof b.message === 'string' && b.message !== '') return b.message;
  const detail = b.detail;
  if (typeof detail === 'string') return detail;
  // FastAPI validation errors: [{loc, msg, type}, …]
  if (Array.isArray(detail)) {
    const msgs = detail.map((d) => (d && typeof d === 'object' && typeof (d as { msg?: unknown }).msg === 'string' ? `${((d as { loc?: unknown[] }).loc ?? []).join('.')}: ${(d as { msg: string }).msg}` : JSON.stringify(d)));
    return msgs.join('; ');
  }
  return JSON.stringify(body);
}

function plainText(text: string): string {
  // an HTML error page: its text, not its markup
  return /<\/?[a-z][^>]*>/i.test(text) ? text.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]+>/g, ' ') : text;
}
