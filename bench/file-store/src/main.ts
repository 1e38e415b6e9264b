/**
 * The file store's benchmarks against their anchors:
 *
 *   pnpm --filter @herald/bench-file-store bench [--json] [--sends N] [--notifications N]
 *
 * A: durable send throughput with 256 concurrent senders, against better-sqlite3, at two
 *    sizes: SQLite slows down as its indexes of random ids outgrow its page cache, while
 *    the file store's cost per send stays flat, so the ratio depends on the size.
 * B: time to open a store holding 1,000,000 notifications.
 * Build the packages first (`npx tsc -b tsconfig.build.json` at the root).
 */
import { cpus } from 'node:os';
import { openTime } from './open-time.js';
import { report, type BenchResult } from '@herald/bench-support';
import { sendThroughput } from './send-throughput.js';

/** The whole numbers given after `name` (comma-separated), or `fallback`. */
function option(name: string, fallback: readonly number[]): number[] {
  const index = process.argv.indexOf(name);
  if (index === -1) return [...fallback];
  const values = (process.argv[index + 1] ?? '').split(',').map(Number);
  if (!values.every((value) => Number.isSafeInteger(value) && value >= 1)) throw new Error(`${name} takes whole numbers, comma-separated`);
  return values;
}

const json = process.argv.includes('--json');
const log = (line: string): void => {
  if (!json) process.stderr.write(`${line}\n`);
};
log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);

const results: BenchResult[] = [];
log('A: durable sends …');
for (const count of option('--sends', [10_000, 100_000])) results.push(await sendThroughput(count));
log('B: building and opening a large store …');
const open = await openTime(option('--notifications', [1_000_000])[0] as number);
results.push(open.result);
log(`   (built in ${open.buildSeconds.toFixed(1)} s; the open store holds ${Math.round(open.heapBytesPerNotification)} bytes of heap per notification)`);
const later = open.firstAccess;
log(
  `   (left for later: ${later.afterOpen.heapMB} MB heap + ${later.afterOpen.externalMB} MB packed deliveries after the open; ` +
    `first listDeliveries ${later.firstListDeliveriesMs} ms, first by-id call of a user ${later.firstUserIndexMs} ms, ` +
    `every user's ${later.everyUserIndexMs} ms, then ${later.afterAll.heapMB} MB heap + ${later.afterAll.externalMB} MB)`,
);
report(results, json);
