import type { Command } from 'commander';
import type { RequestParams } from '../index.js';
import { numberFlag } from './options.js';

/** The request-parameter flags shared by `create` and `test`. */
export interface RequestFlags {
  model?: string;
  prompt?: string;
  messages?: string;
  n?: number;
  maxTokens?: number;
  maxCompletionTokens?: number;
  reasoningEffort?: string;
  verbosity?: string;
  temperature?: number;
  topP?: number;
  stop?: string[];
}

/** Add the request-parameter flags (they override the values of a --config file). */
export function addRequestOptions(cmd: Command): Command {
  return cmd
    .option('--model <model>', 'model name (overrides the config)')
    .option('--prompt <template>', 'prompt template with {field} placeholders (overrides the config)')
    .option('--messages <file>', 'JSON file with a list of {role, content} messages (overrides the config)')
    .option('-n, --n <n>', 'number of choices', numberFlag('--n', { integer: true, min: 1 }))
    .option('--max-tokens <n>', 'max tokens per choice (sent as max_completion_tokens to a reasoning model)', numberFlag('--max-tokens', { integer: true, min: 1 }))
    .option('--max-completion-tokens <n>', 'the same cap under the name reasoning models take', numberFlag('--max-completion-tokens', { integer: true, min: 1 }))
    .option('--reasoning-effort <effort>', 'reasoning models: none|minimal|low|medium|high|xhigh (which ones, depends on the model)')
    .option('--verbosity <v>', 'gpt-5 family: low|medium|high')
    .option('--temperature <t>', 'sampling temperature', numberFlag('--temperature', { min: 0, max: 2 }))
    .option('--top-p <p>', 'nucleus sampling', numberFlag('--top-p', { min: 0, max: 1 }))
    .option('--stop <s...>', 'stop sequence(s)');
}

/** Request parameters from the flags (undefined where a flag was not given; `--messages` is a file the op reads). */
export function requestParamsFromFlags(flags: RequestFlags): Partial<RequestParams> {
  return {
    model: flags.model,
    prompt: flags.prompt,
    n: flags.n,
    max_tokens: flags.maxTokens,
    max_completion_tokens: flags.maxCompletionTokens,
    reasoning_effort: flags.reasoningEffort,
    verbosity: flags.verbosity,
    temperature: flags.temperature,
    top_p: flags.topP,
    stop: flags.stop,
  };
}
