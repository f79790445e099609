import { LineCounter, parseDocument } from 'yaml';
import { makeLocator } from '../../src/space/locator.js';
import { parseSearchSpace, type ParsedSpace, type ParseSpaceOptions } from '../../src/space/parse-space.js';

/** Parses a YAML config text the way the loader will, and the search_space inside it. */
export function parseYamlSpace(text: string, options: Omit<ParseSpaceOptions, 'file' | 'locate'> = {}): ParsedSpace {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) throw new Error(`bad test YAML: ${doc.errors[0]?.message}`);
  const root = doc.toJS() as Record<string, unknown>;
  return parseSearchSpace(root['search_space'], { ...options, file: 'tune.yaml', locate: makeLocator(doc, lineCounter) });
}

/** Runs `f` and returns the error it throws (failing the test when it does not throw). */
export function errorOf(f: () => unknown): Error & Record<string, unknown> {
  try {
    f();
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error('expected an error, none was thrown');
}

/** The brief's example search space, as a tune.yaml text (search_space on line 1). */
export const EXAMPLE = `search_space:
  model: [gpt-3.5-turbo, gpt-4]
  prompt: ["{problem} Answer with just the number.", "{problem} Think step by step."]
  temperature_or_top_p: [{temperature: {uniform: [0, 2]}}, {top_p: {uniform: [0, 1]}}]
  max_tokens: {lograndint: [50, 1000]}
  n: {randint: [1, 20]}
  stop: [null, "\\n\\n"]
`;
