import { answerVoteEval } from './answer-vote.js';
import type { BuiltinEval } from './builtin-types.js';
import { codeEval } from './code.js';
import { exactMatchEval } from './exact-match.js';
import { includesEval } from './includes.js';
import { jsonEval } from './json.js';
import { regexEval } from './regex.js';

/**
 * Every built-in eval by name (frozen). Adding one means adding a file and a line here.
 *
 * @example
 * Object.keys(BUILTIN_EVALS); // ['answer_vote', 'code', 'exact_match', 'includes', 'json', 'regex']
 */
export const BUILTIN_EVALS: Readonly<Record<string, BuiltinEval>> = Object.freeze({
  answer_vote: answerVoteEval,
  code: codeEval,
  exact_match: exactMatchEval,
  includes: includesEval,
  json: jsonEval,
  regex: regexEval,
});
