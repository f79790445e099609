import { loadEval } from '../../src/evaluate/load-eval.js';
import { answerKey, answersEqual, extractExpectedAnswer, extractFinalAnswer, normalizeAnswer } from '../../src/evaluate/builtins/math-answer.js';
import { voteOnAnswers } from '../../src/evaluate/builtins/answer-vote.js';

describe('extractFinalAnswer', () => {
  it.each([
    ['so the answer is $\\boxed{42}$.', '42'],
    ['first \\boxed{1} then \\boxed{2}', '2'],
    ['\\boxed{\\frac{\\sqrt{3}}{2}}', '\\frac{\\sqrt{3}}{2}'],
    ['nested \\boxed{\\{1, 2\\}} ok', '\\{1, 2\\}'],
    ['\\fbox{7}', '7'],
    ['\\boxed 5$', '5'],
    ['Natalia sold 48/2 = <<48/2=24>>24 clips in May.\n#### 72', '72'],
    ['The answer is 18 dollars.', '18'],
    ['Therefore, the answer is: $\\frac{1}{2}$.', '\\frac{1}{2}'],
    ['The final answer is yes.', 'yes'],
    ['She makes 9 * 2 = $<<9*2=18>>18 every day\nA: 18', '18'],
    ['It costs $1,250.50 in total.', '1,250.50'],
    ['16-3=13 eggs', '13'],
    ['the temperature is -5 now', '-5'],
    ['3/4 of the pie', '3/4'],
    ['so x = \\frac{1}{2}', '\\frac{1}{2}'],
    ['so x = \\dfrac12 and', '\\dfrac12'],
    ['ratio 3/4', '3/4'],
  ])('%j → %j', (text, expected) => {
    expect(extractFinalAnswer(text)).toBe(expected);
  });

  it('prefers \\boxed over #### and numbers; returns null without any answer', () => {
    expect(extractFinalAnswer('#### 3\n\\boxed{4} and 5')).toBe('4');
    expect(extractFinalAnswer('I do not know.')).toBeNull();
    expect(extractFinalAnswer('')).toBeNull();
  });

  it('skips an unbalanced (truncated) \\boxed and falls back', () => {
    expect(extractFinalAnswer('\\boxed{3} and then \\boxed{4')).toBe('3');
  });
});

describe('normalizeAnswer', () => {
  it.each([
    ['1,000', '1000'],
    ['1,234,567.00', '1234567'],
    ['\\$18', '18'],
    ['$18.50', '18.5'],
    ['5.0', '5'],
    ['.5', '0.5'],
    ['007', '7'],
    ['-0', '0'],
    ['50\\%', '50'],
    ['50%', '50'],
    ['90^\\circ', '90'],
    ['90^{\\circ}', '90'],
    ['\\left( 1, 2 \\right)', '(1,2)'],
    ['\\dfrac{3}{4}', '\\frac{3}{4}'],
    ['\\tfrac12', '\\frac{1}{2}'],
    ['\\frac1{2}', '\\frac{1}{2}'],
    ['10\\text{ cm}', '10'],
    ['\\text{yes}', 'yes'],
    ['x = 5', '5'],
    ['3.', '3'],
    ['\\sqrt2', '\\sqrt{2}'],
    ['1/2', '\\frac{1}{2}'],
    ['1\\!000', '1000'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeAnswer(input)).toBe(expected);
  });
});

describe('extractExpectedAnswer', () => {
  it.each([
    ['72', '72'],
    ['#### 72', '72'],
    ['Natalia sold 72 clips.\n#### 72', '72'],
    ['\\frac{\\pi}{2}', '\\frac{\\pi}{2}'],
    ['(1,2)', '(1,2)'],
    ['yes', 'yes'],
    ['72 clips', '72'],
    ['She makes $18.\nA: 18', '18'],
  ])('%j → %j', (text, expected) => {
    expect(extractExpectedAnswer(text)).toBe(expected);
  });
});

describe('answersEqual', () => {
  it.each([
    ['\\frac{1}{2}', '0.5', true],
    ['1/2', '\\dfrac{1}{2}', true],
    ['-\\frac{3}{4}', '-0.75', true],
    ['\\frac{2}{4}', '\\frac{1}{2}', true],
    ['1/3', '0.333', false],
    ['72', '72.00', true],
    ['$1,000', '1000', true],
    ['5', '6', false],
    ['\\sqrt{2}', '\\sqrt2', true],
  ])('%j vs %j → %j', (a, b, expected) => {
    expect(answersEqual(a, b)).toBe(expected);
  });

  it('keys answers by their equivalence class: exact reduced fractions for numbers, the normalized text otherwise', () => {
    expect(answerKey('\\dfrac{2}{4}')).toBe('q:1/2');
    expect(['0.5', '1/2', '\\frac12', '\\frac{50}{100}', '0.50'].map(answerKey)).toEqual(Array(5).fill('q:1/2'));
    expect(answerKey('\\frac{1}{-2}')).toBe('q:-1/2');
    expect(answersEqual('\\frac{1}{-2}', '-0.5')).toBe(true);
    expect(answerKey('0')).toBe('q:0/1');
    expect(answerKey('-\\frac{0}{5}')).toBe('q:0/1');
    expect(answerKey('x+1')).toBe('s:x+1');
    expect(answerKey('\\$')).toBeNull(); // nothing left after normalizing: equals nothing
    expect(answersEqual('\\$', '\\$')).toBe(false);
    expect(answersEqual('1/3', '0.333')).toBe(false);
    // a text that looks like a key is still just text
    expect(answerKey('q:1/2')).toBe('s:q:1/2');
  });

  it('keys plain numbers (the short path) exactly as the same numbers written any other way', () => {
    expect(['007', '7.000', '7', '\\$7', ' 7 ', '7.', '\\frac{14}{2}', '7/1'].map(answerKey)).toEqual(Array(8).fill('q:7/1'));
    expect(['-0', '0.0', '-0.000', '00'].map(answerKey)).toEqual(Array(4).fill('q:0/1'));
    expect(['1000', '1,000', '1000.0'].map(answerKey)).toEqual(Array(3).fill('q:1000/1'));
    expect(['-12.50', '-\\frac{25}{2}'].map(answerKey)).toEqual(['q:-25/2', 'q:-25/2']);
    expect(normalizeAnswer('-0012.340')).toBe('-12.34');
    expect(normalizeAnswer('-0.0')).toBe('0');
  });

  it('never equates missing answers', () => {
    expect(answersEqual(null, null)).toBe(false);
    expect(answersEqual(null, '1')).toBe(false);
  });
});

describe('voteOnAnswers / builtin:answer_vote', () => {
  it('plurality vote with success, expected_success and votes', () => {
    const m = voteOnAnswers(['\\boxed{2}', 'so it is 3', 'It is 2.'], '#### 2');
    expect(m.success_vote).toBe(1);
    expect(m.success).toBe(1);
    expect(m.votes).toBe(2);
    expect(m.expected_success).toBeCloseTo(1 - (1 / 3) ** 3, 12);
  });

  it('ties go to the answer that appeared first', () => {
    expect(voteOnAnswers(['\\boxed{3}', '\\boxed{2}', '\\boxed{2}', '\\boxed{3}'], '2')).toMatchObject({ success_vote: 0, success: 1, votes: 2 });
    expect(voteOnAnswers(['\\boxed{2}', '\\boxed{3}'], '2')).toMatchObject({ success_vote: 1, votes: 1 });
  });

  it('responses without an answer do not vote but count in n', () => {
    const m = voteOnAnswers(['no idea', '\\boxed{\\frac{1}{2}}'], '0.5');
    expect(m).toMatchObject({ success_vote: 1, success: 1, votes: 1 });
    expect(m.expected_success).toBeCloseTo(1 - 0.5 ** 2, 12);
  });

  it('no answer at all: zeros', () => {
    expect(voteOnAnswers(['hmm', 'unclear'], '7')).toEqual({ success_vote: 0, success: 0, expected_success: 0, votes: 0 });
    expect(voteOnAnswers([], '7')).toEqual({ success_vote: 0, success: 0, expected_success: 0, votes: 0 });
  });

  it('groups equivalent forms: LaTeX fractions, commas, dollars, degrees', () => {
    expect(voteOnAnswers(['\\boxed{\\dfrac{1}{2}}', 'The answer is 0.5', '\\boxed{1/2}'], '\\frac12').votes).toBe(3);
    expect(voteOnAnswers(['\\boxed{\\$1,000}', '#### 1000', 'It is $1,000.00.'], '1000')).toMatchObject({ votes: 3, success_vote: 1 });
    expect(voteOnAnswers(['\\boxed{90^\\circ}', '\\boxed{90^{\\circ}}'], '90')).toMatchObject({ votes: 2, success_vote: 1 });
  });

  it('loads as a builtin reading the configured field; a row without an answer is an error', async () => {
    const fn = await loadEval({ builtin: 'answer_vote', field: 'solution' }, { baseDir: '.' });
    expect(await fn(['#### 72'], { solution: 'Natalia sold 72 clips.\n#### 72' })).toMatchObject({ success_vote: 1 });
    expect(await fn(['#### 72'], { solution: 72 })).toMatchObject({ success_vote: 1 });
    expect(() => fn(['1'], { answer: '1' })).toThrow(/row field 'solution'/);
    expect(() => fn(['1'], { solution: 'a long\nexplanation without a figure' })).toThrow(/no answer in the expected text/);
  });

  it('scores every prefix of the same responses as voteOnAnswers does', async () => {
    // the tuner calls the eval on responses.slice(0, n) for every n
    const fn = await loadEval('builtin:answer_vote', { baseDir: '.' });
    const forms = (k: number): string[] => [`\\boxed{${k}}`, `so it is ${k + 1}`, 'no idea', `#### ${k}`, `The answer is ${k % 3}.`];
    for (let row = 0; row < 1200; row++) {
      const responses = Array.from({ length: 8 }, (_, i) => forms(row + i)[(row * 7 + i) % 5] as string);
      const answer = `#### ${row % 4}`;
      for (let n = 0; n <= responses.length; n++) {
        expect(await fn(responses.slice(0, n), { answer })).toEqual(voteOnAnswers(responses.slice(0, n), answer));
      }
    }
  });
});
