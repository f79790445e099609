import { readFileSync } from 'node:fs';
import { voteOnAnswers } from '../../src/evaluate/builtins/answer-vote.js';
import { describeWithSharedData, SHARED_DATA } from './helpers.js';

const MODELS = ['6b_finetuning', '6b_verification', '175b_finetuning', '175b_verification'] as const;

interface Solution { solution: string; is_correct: boolean }
type Row = { question: string; ground_truth: string } & Record<(typeof MODELS)[number], Solution>;

describeWithSharedData('gsm8k/example_model_solutions.jsonl')('answer_vote on real GPT-3 GSM8K solutions', () => {
  it('agrees with OpenAI\'s is_correct labels', () => {
    const rows = readLines<Row>('gsm8k/example_model_solutions.jsonl');
    let total = 0;
    let agree = 0;
    let labelledCorrect = 0;
    const disagreements: string[] = [];
    for (const row of rows) {
      for (const model of MODELS) {
        const s = row[model];
        const predicted = voteOnAnswers([s.solution], row.ground_truth).success === 1;
        total++;
        if (s.is_correct) labelledCorrect++;
        if (predicted === s.is_correct) agree++;
        else disagreements.push(`${model} label=${s.is_correct}: …${s.solution.slice(-60).replace(/\n/g, '⏎')} | truth …${row.ground_truth.slice(-20).replace(/\n/g, '⏎')}`);
      }
    }
    const rate = agree / total;
    console.log(`GSM8K answer_vote vs is_correct: ${agree}/${total} agree (${(100 * rate).toFixed(2)}%), ${labelledCorrect} labelled correct; first disagreements:\n${disagreements.slice(0, 10).join('\n')}`);
    expect(total).toBe(5276);
    expect(rate).toBeGreaterThan(0.995);
  });

  it('still mostly agrees when the final `A: N` line is removed (last-number fallback on the reasoning)', () => {
    let agree = 0;
    let total = 0;
    for (const row of readLines<Row>('gsm8k/example_model_solutions.jsonl')) {
      for (const model of MODELS) {
        const body = row[model].solution.replace(/\n?A:[^\n]*\s*$/, '');
        if ((voteOnAnswers([body], row.ground_truth).success === 1) === row[model].is_correct) agree++;
        total++;
      }
    }
    console.log(`GSM8K agreement without the 'A:' line: ${agree}/${total} (${((100 * agree) / total).toFixed(2)}%)`);
    expect(agree / total).toBeGreaterThan(0.97);
  });

  it('scores the same solutions against test.jsonl\'s `#### N` answers (row field `answer`)', () => {
    const solutions = readLines<Row>('gsm8k/example_model_solutions.jsonl');
    const tests = readLines<{ question: string; answer: string }>('gsm8k/test.jsonl');
    let agree = 0;
    for (const [i, row] of solutions.entries()) {
      const test = tests[i];
      expect(test?.question).toBe(row.question);
      for (const model of MODELS) {
        if ((voteOnAnswers([row[model].solution], test?.answer ?? '').success === 1) === row[model].is_correct) agree++;
      }
    }
    console.log(`GSM8K answer_vote vs is_correct with test.jsonl answers: ${agree}/${solutions.length * 4}`);
    expect(agree / (solutions.length * 4)).toBeGreaterThan(0.995);
  });

  it('votes over the four models of a question like a 4-sample run', () => {
    for (const row of readLines<Row>('gsm8k/example_model_solutions.jsonl')) {
      const m = voteOnAnswers(MODELS.map((k) => row[k].solution), row.ground_truth);
      const labelled = MODELS.filter((k) => row[k].is_correct).length;
      expect(m.votes).toBeGreaterThanOrEqual(1);
      expect(m.votes).toBeLessThanOrEqual(4);
      if (labelled === 4) expect(m.success_vote).toBe(1);
      if (labelled === 0) expect(m.success_vote + m.success).toBe(0);
      if (labelled >= 3) expect(m.success_vote).toBe(1); // 3 agreeing correct answers outvote the rest
    }
  });
});

function readLines<T>(file: string): T[] {
  return readFileSync(`${SHARED_DATA}${file}`, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);
}
