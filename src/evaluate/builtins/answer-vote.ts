import type { BuiltinEval } from './builtin-types.js';
import { expectedSuccess, rowText, withRowFields } from './builtin-types.js';
import { answerKey, extractExpectedAnswer, extractFinalAnswer } from './math-answer.js';

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
  const expectedKey = answerKey(expected);
  // groups in the order their answers first appeared; an answer without a key is a group of its own
  const groups: { key: string | null; votes: number }[] = [];
  const byKey = new Map<string, { key: string | null; votes: number }>();
  let correct = 0;
  for (const response of responses) {
    const ballot = ballotOf(response);
    if (ballot === undefined) continue; // no answer: no vote
    if (ballot !== null && ballot === expectedKey) correct++;
    const group = ballot === null ? undefined : byKey.get(ballot);
    if (group) group.votes++;
    else {
      const created = { key: ballot, votes: 1 };
      groups.push(created);
      if (ballot !== null) byKey.set(ballot, created);
    }
  }
  let winner: { key: string | null; votes: number } | undefined;
  for (const g of groups) if (winner === undefined || g.votes > winner.votes) winner = g;
  return {
    success_vote: winner !== undefined && winner.key !== null && winner.key === expectedKey ? 1 : 0,
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
    return withRowFields([{ field, option: 'field', eval: 'answer_vote' }], (responses, row) => voteOnAnswers(responses, rowText(row, field, 'answer_vote')));
  },
};

/**
 * How a response votes: the key of its final answer (see {@link answerKey}), null for an answer
 * that equals nothing, undefined for no answer.
 */
function ballotOf(response: string): string | null | undefined {
  const answer = extractFinalAnswer(response);
  return answer === null ? undefined : answerKey(answer);
}
