export { report, type BenchResult } from './result.js';
export { percentile, retainedHeap, timeCalls } from './measure.js';
