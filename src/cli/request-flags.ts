import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ConfigError, type RequestParams } from '../index.js';
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

/** Request parameters from the flags (undefined where a flag was not given). */
export function requestParamsFromFlags(flags: RequestFlags, cwd: string): Partial<RequestParams> {
  return {
    model: flags.model,
    prompt: flags.prompt,
    messages: flags.messages ? readMessagesFile(flags.messages, cwd) : undefined,
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

/** A `--messages` file: a JSON list of `{role, content}`, relative to the working directory. */
function readMessagesFile(file: string, cwd: string): RequestParams['messages'] {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(resolve(cwd, file), 'utf8'));
  } catch (err) {
    throw new ConfigError(`cannot read messages from ${file}: ${(err as Error).message}`, { file, field: '--messages', hint: 'give a JSON file with [{"role": "user", "content": "{problem}"}]' });
  }
  if (!Array.isArray(value)) throw new ConfigError(`${file} must hold a JSON list of messages`, { file, field: '--messages' });
  return value as RequestParams['messages'];
}
