/**
 * Runs the core benchmarks: `pnpm bench` (a table) or `pnpm bench --json`.
 */
import { feedReads } from './feed-reads.js';
import { heapPerNotification } from './heap.js';
import { report, type BenchResult } from '@herald/bench-support';
import { sendAndDeliver } from './send-and-deliver.js';

const json = process.argv.includes('--json');
const results: BenchResult[] = [];
for (const scenario of [sendAndDeliver, feedReads, heapPerNotification]) {
  const figures = await scenario();
  results.push(...figures);
  if (!json) report(figures, false);
}
if (json) report(results, true);
