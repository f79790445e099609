import { isMap, isScalar, isSeq, type Document, type LineCounter } from 'yaml';

/**
 * Maps a key path from the document root (e.g. `['search_space', 'max_tokens']`, list indices as
 * strings) to the 1-based line where that key (or list item) starts. When the full path does not
 * exist it returns the line of the deepest part that does, so errors about a missing key point at
 * its parent; `undefined` when not even the first key exists.
 */
export type Locator = (path: readonly string[]) => number | undefined;

/**
 * Builds a {@link Locator} over a document parsed with a `LineCounter`.
 *
 * @example
 * ```ts
 * import { LineCounter, parseDocument } from 'yaml';
 * const lineCounter = new LineCounter();
 * const doc = parseDocument(text, { lineCounter });
 * const locate = makeLocator(doc, lineCounter);
 * locate(['search_space', 'n']); // e.g. 7
 * ```
 */
export function makeLocator(doc: Document, lineCounter: LineCounter): Locator {
  return (path) => {
    let node: unknown = doc.contents;
    let offset: number | undefined;
    for (const segment of path) {
      const step = childOf(node, segment);
      if (step === undefined) break;
      node = step.node;
      if (step.offset !== undefined) offset = step.offset;
    }
    return offset === undefined ? undefined : lineCounter.linePos(offset).line;
  };
}

function childOf(node: unknown, segment: string): { node: unknown; offset: number | undefined } | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = pair.key;
      const name = isScalar(key) ? String(key.value) : String(key);
      if (name === segment) return { node: pair.value, offset: isScalar(key) ? key.range?.[0] : undefined };
    }
    return undefined;
  }
  if (isSeq(node) && /^\d+$/.test(segment)) {
    const item: unknown = node.items[Number(segment)];
    if (item === undefined) return undefined;
    return { node: item, offset: isScalar(item) || isMap(item) || isSeq(item) ? item.range?.[0] : undefined };
  }
  return undefined;
}
