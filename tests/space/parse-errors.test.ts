import { ConfigError } from '../../src/errors.js';
import { parseSearchSpace } from '../../src/space/parse-space.js';
import { errorOf, parseYamlSpace } from './yaml-helper.js';

interface Case {
  title: string;
  /** Lines under `search_space:` (line 2 onwards of the file). */
  body: string;
  message: string;
  line: number;
  field: string;
  hint?: RegExp;
}

const cases: Case[] = [
  {
    title: 'unknown request key, with a suggestion',
    body: 'model: gpt-4\ntempreature: 0.5',
    message: '`tempreature` is not a known request key; did you mean `temperature`?',
    line: 3,
    field: 'search_space.tempreature',
    hint: /known keys: model, prompt, messages, temperature, top_p, temperature_or_top_p, max_tokens/,
  },
  {
    title: 'unknown request key, nothing close',
    body: 'frobnicate: 1',
    message: '`frobnicate` is not a known request key',
    line: 2,
    field: 'search_space.frobnicate',
  },
  {
    title: 'unknown domain keyword',
    body: 'model: gpt-4\ntemperature: {unifrom: [0, 1]}',
    message: '`temperature`: unknown domain keyword `unifrom`; did you mean `uniform`?',
    line: 3,
    field: 'search_space.temperature',
    hint: /valid keywords: const, choice, uniform, loguniform, quniform, randint, lograndint/,
  },
  {
    title: 'two keywords in one domain',
    body: 'n: {randint: [1, 2], choice: [1]}',
    message: '`n`: a domain is a mapping with exactly one keyword, got keys randint, choice',
    line: 2,
    field: 'search_space.n',
  },
  {
    title: 'empty mapping',
    body: 'n: {}',
    message: '`n`: an empty mapping is neither a value nor a domain',
    line: 2,
    field: 'search_space.n',
  },
  {
    title: 'low > high, located on the key line',
    body: 'model: gpt-4\n\nmax_tokens:\n  lograndint: [500, 50]',
    message: '`max_tokens`: low <= high must hold, got low=500, high=50',
    line: 5,
    field: 'search_space.max_tokens',
    hint: /swap the two bounds/,
  },
  {
    title: 'log domain with low <= 0',
    body: 'top_p: {loguniform: [0, 1]}',
    message: '`top_p`: low > 0 for a log domain must hold, got low=0',
    line: 2,
    field: 'search_space.top_p',
    hint: /positive lower bound/,
  },
  {
    title: 'lograndint from 0',
    body: 'max_tokens: {lograndint: [0, 100]}',
    message: '`max_tokens`: low >= 1 for lograndint must hold, got low=0',
    line: 2,
    field: 'search_space.max_tokens',
  },
  {
    title: 'max_tokens range starting at 0',
    body: 'max_tokens: {randint: [0, 100]}',
    message: '`max_tokens` must be >= 1, got randint [0, 100]',
    line: 2,
    field: 'search_space.max_tokens',
  },
  {
    title: 'empty choice',
    body: 'model: []',
    message: '`model`: at least one option in a choice must hold, got []',
    line: 2,
    field: 'search_space.model',
  },
  {
    title: 'wrong arity',
    body: 'temperature: {uniform: [0, 1, 2]}',
    message: '`temperature`: `uniform` takes [low, high] as numbers, got [0,1,2]',
    line: 2,
    field: 'search_space.temperature',
    hint: /temperature: \{uniform: \[0, 1\]\}/,
  },
  {
    title: 'quniform needs q',
    body: 'top_p: {quniform: [0, 1]}',
    message: '`top_p`: `quniform` takes [low, high, q] as numbers, got [0,1]',
    line: 2,
    field: 'search_space.top_p',
  },
  {
    title: 'non-number bounds',
    body: 'temperature: {uniform: ["0", 1]}',
    message: '`temperature`: `uniform` takes [low, high] as numbers, got ["0",1]',
    line: 2,
    field: 'search_space.temperature',
  },
  {
    title: 'integer key with a real-valued domain',
    body: 'max_tokens: {uniform: [50, 100]}',
    message: '`max_tokens` takes integers: use randint or lograndint, got `uniform`',
    line: 2,
    field: 'search_space.max_tokens',
  },
  {
    title: 'numeric keyword on a non-numeric key',
    body: 'stop: {uniform: [0, 1]}',
    message: '`stop` is not numeric, so it cannot take `uniform`',
    line: 2,
    field: 'search_space.stop',
  },
  {
    title: 'temperature range',
    body: 'temperature: {uniform: [0, 3]}',
    message: '`temperature` must be in [0, 2], got uniform [0, 3]',
    line: 2,
    field: 'search_space.temperature',
    hint: /narrow the range to in \[0, 2\]/,
  },
  {
    title: 'n at most 128',
    body: 'n: {randint: [1, 200]}',
    message: '`n` must be in [1, 128], got randint [1, 200]',
    line: 2,
    field: 'search_space.n',
  },
  {
    title: 'constant out of range',
    body: 'top_p: 1.5',
    message: '`top_p` must be in [0, 1], got 1.5',
    line: 2,
    field: 'search_space.top_p',
    hint: /top_p must be in \[0, 1\]/,
  },
  {
    title: 'max_tokens constant must be >= 1',
    body: 'max_tokens: 0',
    message: '`max_tokens` must be >= 1, got 0',
    line: 2,
    field: 'search_space.max_tokens',
  },
  {
    title: 'n must be an integer',
    body: 'n: 2.5',
    message: '`n` must be an integer, got 2.5',
    line: 2,
    field: 'search_space.n',
  },
  {
    title: 'choice option of the wrong type, located on its list item',
    body: 'presence_penalty:\n  - 0\n  - 3',
    message: '`presence_penalty` option 1 must be in [-2, 2], got 3',
    line: 4,
    field: 'search_space.presence_penalty[1]',
  },
  {
    title: 'null is only a value for stop',
    body: 'temperature: null',
    message: '`temperature`: null is not a value',
    line: 2,
    field: 'search_space.temperature',
    hint: /remove the key/,
  },
  {
    title: 'null choice option',
    body: 'model: [gpt-4, null]',
    message: '`model` option 1 must not be null',
    line: 2,
    field: 'search_space.model[1]',
  },
  {
    title: 'too many stop sequences',
    body: 'stop: [[a, b, c, d, e]]',
    message: '`stop` option 0 allows at most 4 sequences, got 5',
    line: 2,
    field: 'search_space.stop[0]',
    hint: /null, a string or a list of up to 4 strings/,
  },
  {
    title: 'prompt must be a string',
    body: 'prompt: 42',
    message: '`prompt` must be a prompt template string, got a number',
    line: 2,
    field: 'search_space.prompt',
  },
  {
    title: 'a message without a role',
    body: 'messages:\n  - content: hi',
    message: '`messages` message 0 must be a mapping with a string `role`, got {"content":"hi"}',
    line: 2,
    field: 'search_space.messages',
    hint: /role: user/,
  },
  {
    title: 'messages mixing lists and messages',
    body: 'messages: [[{role: user, content: a}], {role: user, content: b}]',
    message: '`messages`: a list of mappings is one value and a list of lists is a choice; got a mix',
    line: 2,
    field: 'search_space.messages',
  },
  {
    title: 'an option inside a block-style {choice: [...]}',
    body: 'model:\n  choice:\n    - gpt-4\n    - 7',
    message: '`model` option 1 must be a model name, got 7',
    line: 5,
    field: 'search_space.model[1]',
  },
  {
    title: 'choice keyword without a list',
    body: 'model: {choice: gpt-4}',
    message: '`model`: `choice` takes a list of options, got a string',
    line: 2,
    field: 'search_space.model',
  },
  {
    title: 'response_format must be a mapping',
    body: 'response_format: json',
    message: '`response_format` must be a mapping, got a string',
    line: 2,
    field: 'search_space.response_format',
  },
  {
    title: 'prompt and messages together',
    body: 'prompt: "{q}"\nmessages: [{role: user, content: "{q}"}]',
    message: '`prompt` and `messages` cannot both be given',
    line: 3,
    field: 'search_space.messages',
    hint: /not both/,
  },
  {
    title: 'a key given at the top level and inside temperature_or_top_p',
    body: 'temperature: 0\ntemperature_or_top_p: [{temperature: 1}, {top_p: 1}]',
    message: '`temperature` is given twice: by `temperature` and by `temperature_or_top_p`',
    line: 3,
    field: 'search_space.temperature_or_top_p',
  },
  {
    title: 'temperature_or_top_p is not a list of sub-spaces',
    body: 'temperature_or_top_p: 0.5',
    message: '`temperature_or_top_p` takes a list of sub-spaces, got 0.5',
    line: 2,
    field: 'search_space.temperature_or_top_p',
    hint: /\{temperature: \{uniform: \[0, 2\]\}\}/,
  },
  {
    title: 'a sub-space option that is not a mapping',
    body: 'temperature_or_top_p:\n  - {temperature: 1}\n  - 0.5',
    message: '`temperature_or_top_p` option 1 must be a non-empty mapping of request keys, got 0.5',
    line: 4,
    field: 'search_space.temperature_or_top_p[1]',
  },
  {
    title: 'an error inside a sub-space option',
    body: 'temperature_or_top_p:\n  - temperature: {uniform: [0, 2]}\n  - top_p: {uniform: [0, 5]}',
    message: '`top_p` must be in [0, 1], got uniform [0, 5]',
    line: 4,
    field: 'search_space.temperature_or_top_p[1].top_p',
  },
  {
    title: 'temperature_or_top_p nested in itself',
    body: 'temperature_or_top_p: [{temperature_or_top_p: [{temperature: 1}]}]',
    message: '`temperature_or_top_p` cannot be nested inside itself',
    line: 2,
    field: 'search_space.temperature_or_top_p[0].temperature_or_top_p',
  },
  {
    title: 'a hierarchical model option without model',
    body: 'model:\n  - {model: gpt-4, n: 1}\n  - {n: 2}',
    message: '`model` option 1 must be a mapping that sets `model`, got {"n":2}',
    line: 4,
    field: 'search_space.model[1]',
  },
  {
    title: 'nested hierarchical model choices',
    body: 'model: [{model: [{model: a}]}]',
    message: 'hierarchical `model` choices cannot be nested',
    line: 2,
    field: 'search_space.model[0].model',
  },
];

describe('parseSearchSpace errors carry file, line, field and hint', () => {
  it.each(cases)('$title', ({ body, message, line, field, hint }) => {
    const text = `search_space:\n${body.split('\n').map((l) => `  ${l}`).join('\n')}\n`;
    const err = errorOf(() => parseYamlSpace(text));
    expect(err).toBeInstanceOf(ConfigError);
    const ce = err as unknown as ConfigError;
    expect(ce.message).toBe(message);
    expect(ce.file).toBe('tune.yaml');
    expect(ce.line).toBe(line);
    expect(ce.field).toBe(field);
    expect(ce.exitCode).toBe(2);
    expect(ce.location).toBe(`tune.yaml:${line}: ${field}`);
    if (hint) expect(ce.hint).toMatch(hint);
  });

  it('a search_space that is not a mapping', () => {
    const err = errorOf(() => parseYamlSpace('search_space: [gpt-4]\n')) as unknown as ConfigError;
    expect(err.message).toBe('search_space must be a mapping of request keys to values or domains, got a list');
    expect(err.location).toBe('tune.yaml:1: search_space');
  });

  it('works without a locator or file (plain JSON input)', () => {
    const err = errorOf(() => parseSearchSpace({ n: { randint: [5, 1] } })) as unknown as ConfigError;
    expect(err.message).toBe('`n`: low <= high must hold, got low=5, high=1');
    expect(err.file).toBeUndefined();
    expect(err.line).toBeUndefined();
    expect(err.field).toBe('search_space.n');
  });
});
