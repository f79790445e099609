import type { BuiltinEval } from './builtin-types.js';
import { expectedSuccess, rowText } from './builtin-types.js';
import { answersEqual, extractExpectedAnswer, extractFinalAnswer } from './math-answer.js';

/** Metrics of `builtin:answer_vote`. */
export interface VoteMetrics {
  success_vote: number;
  success: number;
  expected_success: number;
  votes: number;
  [metric: string]: number;
}

/**
 * Score math responses by their final answers (see {@link extractFinalAnswer}) against the
 * expected answer (extracted the same way, see {@link extractExpectedAnswer}, so `#### 72`, a
 * bare `72` and a bare `\frac{1}{2}` all work).
 * Responses without an answer do not vote; a plurality vote picks one answer, ties going to the
 * answer that appeared first.
 *
 * @example
 * voteOnAnswers(['\\boxed{2}', 'so 3', 'It is 2.'], '2');
 * // { success_vote: 1, success: 1, expected_success: 1 - (1/3) ** 3, votes: 2 }
 */
export function voteOnAnswers(responses: readonly string[], expectedText: string): VoteMetrics {
  const expected = extractExpectedAnswer(expectedText);
  if (expected === null) throw new Error(`builtin:answer_vote found no answer in the expected text ${JSON.stringify(expectedText.slice(0, 80))}`);
  const groups: { answer: string; votes: number }[] = [];
  let correct = 0;
  for (const response of responses) {
    const answer = extractFinalAnswer(response);
    if (answer === null) continue;
    if (answersEqual(answer, expected)) correct++;
    const group = groups.find((g) => answersEqual(g.answer, answer));
    if (group) group.votes++;
    else groups.push({ answer, votes: 1 });
  }
  let winner: { answer: string; votes: number } | undefined;
  for (const g of groups) if (winner === undefined || g.votes > winner.votes) winner = g;
  return {
    success_vote: winner !== undefined && answersEqual(winner.answer, expected) ? 1 : 0,
    success: correct > 0 ? 1 : 0,
    expected_success: expectedSuccess(correct, responses.length),
    votes: winner?.votes ?? 0,
  };
}

/**
 * `builtin:answer_vote` — math answer extraction and plurality voting (see
 * {@link voteOnAnswers}); the expected answer is read from the row field `field` (default
 * `answer`).
 *
 * @example
 * const fn = answerVoteEval.create(validateOptions('answer_vote', answerVoteEval.options, {}, {}), {});
 * fn(['#### 72'], { answer: 'Natalia sold 72 clips.\n#### 72' }); // success_vote 1, votes 1
 */
export const answerVoteEval: BuiltinEval = {
  name: 'answer_vote',
  summary: 'math final-answer extraction (\\boxed, ####, last number) and plurality vote',
  options: {
    field: { kind: 'string', description: 'row field holding the expected answer or reference solution (default "answer")' },
  },
  create(options) {
    const field = options.string('field') ?? 'answer';
    return (responses, row) => voteOnAnswers(responses, rowText(row, field, 'answer_vote'));
  },
};
