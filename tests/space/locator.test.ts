import { LineCounter, parseDocument } from 'yaml';
import { makeLocator } from '../../src/space/locator.js';

const TEXT = `# a comment
search_space:
  model: gpt-4
  logit_bias: {"50256": -100}
  temperature_or_top_p:
    - temperature:
        uniform: [0, 2]
    - {top_p: 1}
`;

describe('makeLocator', () => {
  const lineCounter = new LineCounter();
  const doc = parseDocument(TEXT, { lineCounter });
  const locate = makeLocator(doc, lineCounter);

  it('gives the 1-based line of keys and list items', () => {
    expect(locate(['search_space'])).toBe(2);
    expect(locate(['search_space', 'model'])).toBe(3);
    expect(locate(['search_space', 'logit_bias', '50256'])).toBe(4);
    expect(locate(['search_space', 'temperature_or_top_p', '0', 'temperature', 'uniform'])).toBe(7);
    expect(locate(['search_space', 'temperature_or_top_p', '1'])).toBe(8);
    expect(locate(['search_space', 'temperature_or_top_p', '1', 'top_p'])).toBe(8);
  });

  it('falls back to the deepest existing ancestor, or undefined', () => {
    expect(locate(['search_space', 'n'])).toBe(2);
    expect(locate(['search_space', 'temperature_or_top_p', '5'])).toBe(5);
    expect(locate(['nothing'])).toBeUndefined();
    expect(locate([])).toBeUndefined();
  });
});
