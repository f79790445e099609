/** What `autotune init` knows when it writes a config. */
export interface InitConfigInput {
  /** The data file as the config names it (relative to the config). */
  data: string;
  /** The row field the prompt shows the model. */
  inputField: string;
  /** The row field holding the expected answer. */
  answerField: string;
  /** OPENAI_BASE_URL when set: requests go there rather than to OpenAI. */
  baseURL: string | undefined;
  /** The schema for editors (`# yaml-language-server: $schema=…`), when it can be found. */
  schema: string | undefined;
}

/** The name `tune` looks for in the current directory when given no config. */
export const DEFAULT_CONFIG_FILE = 'autotune.yaml';

/**
 * The text of a commented starter tune config: data, an eval reading the answer field, a metric,
 * small budgets and a small space. Every line says what it is for, so the file is its own guide.
 */
export function initConfigText(input: InitConfigInput): string {
  const q = (s: string): string => JSON.stringify(s);
  const endpoint = input.baseURL
    ? [`# Requests go to ${input.baseURL} (OPENAI_BASE_URL), with OPENAI_API_KEY as the key.`]
    : [
        '# Requests go to OpenAI with OPENAI_API_KEY and are billed (set OPENAI_BASE_URL for another',
        '# OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1). The budgets below cap the spend.',
      ];
  return [
    ...(input.schema ? [`# yaml-language-server: $schema=${input.schema}`] : []),
    `# ${DEFAULT_CONFIG_FILE}, written by \`autotune init\`. \`autotune tune\` in this directory runs it`,
    '# (`autotune tune -c other.yaml` for another file; `autotune tune --help` for the flags).',
    ...endpoint,
    '',
    `data: ${q(input.data)}    # JSONL, one object per line; {${input.inputField}} in a prompt is filled from each row`,
    'eval:                       # how the answers to a row are scored (or ./eval.mjs: (responses, row) => metrics)',
    '  builtin: answer_vote      # the final answer of each response, then a plurality vote',
    `  field: ${q(input.answerField)}            # the row field holding the expected answer`,
    'metric: success_vote        # what to maximise: the voted answer is right',
    'mode: max',
    'inference_budget: 0.002     # USD per row at most, all n answers included',
    'optimization_budget: 0.05   # USD of new spend for the whole search (cached answers are free)',
    'seed: 41                    # cache seed: answers are kept in .cache/41, so a re-run costs nothing',
    'search_space:               # what to try; a list is a choice, {uniform: [a, b]} a range',
    '  model: [gpt-4o-mini, gpt-4o]    # the models of your endpoint',
    '  prompt:',
    `    - ${q(`{${input.inputField}} Answer with just the final answer.`)}`,
    `    - ${q(`{${input.inputField}} Let's think step by step.`)}`,
    '  temperature: {uniform: [0, 1]}',
    '  max_tokens: {lograndint: [16, 512]}',
    '  n: {randint: [1, 5]}        # answers per row, voted on',
    '',
  ].join('\n');
}
