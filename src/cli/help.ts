/**
 * Help text shown after a command's options: examples to copy, one per line. Every example is
 * something a user can run as written once the files it names exist.
 */
export function examples(lines: ReadonlyArray<readonly [command: string, what: string]>): string {
  return ['', 'Examples:', ...lines.flatMap(([command, what]) => [`  # ${what}`, `  $ ${command}`])].join('\n');
}

/** The environment variables the CLI reads, for `autotune --help`. */
export const ENVIRONMENT_HELP = [
  '',
  'Environment:',
  '  OPENAI_API_KEY       key of the default endpoint (OpenAI: every request is billed)',
  '  OPENAI_BASE_URL      base URL of the default endpoint, e.g. http://127.0.0.1:8000/v1',
  '  OPENAI_ORG_ID        organization sent with each request to the default endpoint',
  '  OPENAI_PROJECT_ID    project sent with each request to the default endpoint',
  '  OAI_CONFIG_LIST      a JSON list of endpoints, or the path of a file holding one',
  '  OPENAI_LOG           debug or info: the openai client logs each request on stderr (keys redacted)',
  '  NO_COLOR, TERM=dumb  no colours',
].join('\n');
