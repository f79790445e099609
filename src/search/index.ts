/** Searchers: the ask/tell interface and its implementations. */
export type { Searcher, TrialSuggestion, TrialObservation, TrialStatus } from './searcher.js';
export { RandomSearcher, type RandomSearcherOptions } from './random-searcher.js';
