/**
 * Runs the core benchmarks: `pnpm bench` (a table), `pnpm bench --json`, or only some of
 * them by name (`pnpm bench purged-users`).
 */
import { feedReads } from './feed-reads.js';
import { heapPerNotification } from './heap.js';
import { heapPerPurgedUser } from './purged-users.js';
import { report, type BenchResult } from '@herald/bench-support';
import { sendAndDeliver } from './send-and-deliver.js';

const scenarios: Record<string, () => Promise<BenchResult[]>> = {
  'send-and-deliver': sendAndDeliver,
  'feed-reads': feedReads,
  heap: heapPerNotification,
  'purged-users': heapPerPurgedUser,
};
const json = process.argv.includes('--json');
const named = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
for (const name of named) {
  if (!(name in scenarios)) throw new Error(`no core benchmark is named ${JSON.stringify(name)}; the names are ${Object.keys(scenarios).join(', ')}`);
}
const results: BenchResult[] = [];
for (const [name, scenario] of Object.entries(scenarios)) {
  if (named.length > 0 && !named.includes(name)) continue;
  const figures = await scenario();
  results.push(...figures);
  if (!json) report(figures, false);
}
if (json) report(results, true);
