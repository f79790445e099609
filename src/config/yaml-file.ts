import { readFileSync } from 'node:fs';
import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { ConfigError } from '../errors.js';

/** A parsed YAML (or JSON) file that can say on which line a key path sits. */
export interface YamlSource {
  file: string;
  value: unknown;
  /** 1-based line of the node at `path` (keys and list indices), or of its nearest parent. */
  lineOf(path: ReadonlyArray<string | number>): number | undefined;
}

/** Read and parse a YAML/JSON file; a syntax error names the file, line and column. */
export function readYamlFile(file: string): YamlSource {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(`cannot read ${file}${code === 'ENOENT' ? ': no such file' : `: ${(err as Error).message}`}`, {
      file,
      code: 'E_CONFIG_READ',
      hint: 'check the path (relative paths are from the current directory)',
    });
  }
  return parseYamlText(text, file);
}

/** The most nodes one alias may expand to (the yaml package's own default). */
const MAX_ALIAS_COUNT = 100;

/** Parse YAML text (for tests and inline configs). */
export function parseYamlText(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const pos = first.pos?.[0];
    const line = pos === undefined ? undefined : lineCounter.linePos(pos).line;
    throw new ConfigError(`not valid YAML: ${first.message.split('\n')[0]}`, {
      file,
      ...(line ? { line } : {}),
      code: 'E_CONFIG_YAML',
      hint: 'fix the YAML syntax at that line (indentation, quotes, a missing colon)',
    });
  }
  let value: unknown;
  try {
    // aliases are expanded with a cap: a few hundred bytes of nested aliases (a "billion
    // laughs") would otherwise expand to gigabytes
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
  } catch (err) {
    if (!(err instanceof ReferenceError)) throw err;
    if (!/alias count/i.test(err.message)) throw new ConfigError(`not valid YAML: ${err.message}`, { file, code: 'E_CONFIG_YAML', hint: 'define each &anchor before its *alias' });
    throw new ConfigError(`the YAML expands too many aliases (${err.message}); autotune stops at ${MAX_ALIAS_COUNT} per alias`, {
      file,
      code: 'E_CONFIG_YAML',
      hint: 'write the values out, or use fewer nested *aliases (a config needs few, if any)',
    });
  }
  return { file, value, lineOf: (path) => lineOf(doc, lineCounter, path) };
}

function lineOf(doc: Document, lc: LineCounter, path: ReadonlyArray<string | number>): number | undefined {
  let node: unknown = doc.contents;
  let best: number | undefined = rangeLine(node, lc);
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => String((p.key as { value?: unknown } | null)?.value ?? p.key) === String(part));
      if (!pair) break;
      best = rangeLine(pair.key, lc) ?? best;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(part)];
      if (item === undefined) break;
      best = rangeLine(item, lc) ?? best;
      node = item;
    } else break;
  }
  return best;
}

function rangeLine(node: unknown, lc: LineCounter): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? lc.linePos(range[0]).line : undefined;
}

export { closest } from '../util/closest.js';
