/**
 * The evaluation library: load an eval (module or built-in), run it safely per instance,
 * aggregate metrics (streaming), and put bootstrap confidence intervals on the aggregates.
 */
export type { EvalFunction, EvalOutcome, EvalResult, EvalSandbox, EvalSpec } from './eval-types.js';
export type { LoadEvalOptions } from './load-eval.js';
export { listBuiltinEvals, loadEval } from './load-eval.js';
export { checkMetrics, responsesToStrings, runEval } from './run-eval.js';
export type {
  AggregateResult,
  AggregationMethod,
  AggregatorFunction,
  AggregatorName,
} from './aggregators.js';
export { AGGREGATOR_NAMES, resolveAggregation } from './aggregators.js';
export { aggregateMetrics } from './aggregate.js';
export { MetricAccumulator } from './metric-accumulator.js';
export { loadAggregator } from './load-aggregator.js';
export type { BootstrapOptions, ConfidenceInterval } from './bootstrap.js';
export { bootstrapCI, bootstrapMetrics } from './bootstrap.js';
export type { SpecLocation } from './builtins/options.js';
export { answerKey, answersEqual, extractExpectedAnswer, extractFinalAnswer, normalizeAnswer } from './builtins/math-answer.js';
export { voteOnAnswers } from './builtins/answer-vote.js';
export { parseJsonResponse } from './builtins/json.js';
export { buildCandidate } from './builtins/code-program.js';
export type { PythonRunner, PythonRunnerOptions, PythonRunResult, SandboxLevel } from './builtins/python-runner.js';
export { createPythonRunner, SANDBOX_LEVELS, SandboxUnavailableError } from './builtins/python-runner.js';
