export { p99Result, report, type BenchResult } from './result.js';
export { percentile, rate, retainedHeap, timeCalls } from './measure.js';
