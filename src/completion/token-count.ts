/**
 * Token counts for when a server does not report them (or reports nonsense). OpenAI models are
 * counted with OpenAI's own encodings (the `gpt-tokenizer` package: pure JavaScript, loaded
 * only when a count is needed, since parsing an encoding takes about a second); any other
 * model at one token per 3 UTF-8 bytes, which over-counts English for the Llama, Mistral and
 * Qwen tokenizers (about 4 characters per token) and is close for CJK text.
 */

/** The OpenAI encodings autotune can count with. */
export type EncodingName = 'o200k_base' | 'cl100k_base' | 'p50k_base' | 'r50k_base';

/** How a count was made: with the model's real tokenizer, or from the text's length. */
export type CountMethod = 'tokenizer' | 'characters';

/** UTF-8 bytes per token of the character estimate (see the module comment). */
export const BYTES_PER_TOKEN_ESTIMATE = 3;

/**
 * The encoding of an OpenAI model name (a `openai/` or `azure/` routing prefix, as LiteLLM
 * names them, is ignored), or undefined for any other model.
 */
export function encodingOf(model: string): EncodingName | undefined {
  const m = model.toLowerCase().replace(/^(openai|azure)\//, '');
  if (/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4|chatgpt-|gpt-oss|codex-)/.test(m)) return 'o200k_base';
  if (/^(gpt-3\.5|gpt-35|gpt-4|text-embedding-)/.test(m)) return 'cl100k_base';
  if (/^(text-davinci-00[23]|code-davinci|code-cushman)/.test(m)) return 'p50k_base';
  if (/^(ada|babbage|curie|davinci)(-\d+)?$|^text-(ada|babbage|curie|davinci)-001$/.test(m)) return 'r50k_base';
  return undefined;
}

type Counter = (text: string) => number;

async function loadEncoding(name: EncodingName): Promise<Counter> {
  // one import per encoding: Node keeps the module, so a second load is free
  const mod =
    name === 'o200k_base'
      ? await import('gpt-tokenizer/encoding/o200k_base')
      : name === 'cl100k_base'
        ? await import('gpt-tokenizer/encoding/cl100k_base')
        : name === 'p50k_base'
          ? await import('gpt-tokenizer/encoding/p50k_base')
          : await import('gpt-tokenizer/encoding/r50k_base');
  return (text) => mod.countTokens(text);
}

/** Tokens of the character estimate for one text. */
export function estimateFromBytes(text: string): number {
  return Math.ceil(Buffer.byteLength(text, 'utf8') / BYTES_PER_TOKEN_ESTIMATE);
}

/** Count the tokens of each text for `model`: with its tokenizer when it is an OpenAI model. */
export async function countTokens(model: string, texts: readonly string[]): Promise<{ counts: number[]; method: CountMethod }> {
  const encoding = encodingOf(model);
  if (!encoding) return { counts: texts.map(estimateFromBytes), method: 'characters' };
  const count = await loadEncoding(encoding);
  return { counts: texts.map((t) => (t === '' ? 0 : count(t))), method: 'tokenizer' };
}

/** Tokens a chat format adds per message (role, separators) and to prime the reply (OpenAI's cookbook). */
const PER_MESSAGE = 4;
const REPLY_PRIMING = 3;

/** Prompt tokens of a request: the chat format's overhead plus each text's tokens. */
export async function countPromptTokens(model: string, texts: readonly string[], chat: boolean): Promise<{ tokens: number; method: CountMethod }> {
  const { counts, method } = await countTokens(model, texts);
  const content = counts.reduce((a, b) => a + b, 0);
  return { tokens: chat ? REPLY_PRIMING + content + PER_MESSAGE * texts.length : content, method };
}
