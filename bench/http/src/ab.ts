/**
 * Two builds of the workspace in one process, for an A/B of a handler's CPU on a machine
 * shared with other work: each tree's handler (from its own `bench/http/src/handlers.ts`,
 * so its own packages' `dist`) takes batches of requests in turn, the order swapped every
 * batch, so both see the same load at almost the same moment. It prints each tree's CPU
 * per request and the median of the batch-by-batch ratios (the second tree over the first).
 *
 *     AB_TREES=/path/to/main-worktree,/path/to/branch-worktree npx tsx src/ab.ts herald-http
 *
 * `AB_BATCHES` (40) batches of `AB_BATCH` (1,000) requests each, after 4 to warm up. The
 * trees' handlers share one heap, so each tree's figure is not the harness's; the ratio is
 * the figure to read.
 */
import { sampleRequest } from '@herald/testing';
import { modes, type Handler, type Mode } from './handlers.js';
import { oneRequest } from './one-request.js';

let counter = 0;
const mode = (process.argv[2] ?? 'herald-http') as Mode;
if (!modes.includes(mode)) throw new Error(`unknown mode ${JSON.stringify(mode)}`);
const trees = (process.env['AB_TREES'] ?? '').split(',');
if (trees.length !== 2) throw new Error('AB_TREES must name two worktrees, separated by a comma');
const handlers: Handler[] = [];
for (const tree of trees) {
  const module = (await import(`${tree}/bench/http/src/handlers.ts`)) as { handlerOf: (mode: Mode) => Promise<Handler> };
  handlers.push(await module.handlerOf(mode));
}
const batch = Number(process.env['AB_BATCH'] ?? 1000);
const batches = Number(process.env['AB_BATCHES'] ?? 40);
const cpu = trees.map(() => [] as number[]);
for (let b = 0; b < batches + 4; b += 1) {
  for (const t of b % 2 === 0 ? [0, 1] : [1, 0]) {
    const { handle, subscriptionId } = handlers[t] as Handler;
    const bodies = Array.from({ length: batch }, () => Buffer.from(JSON.stringify(sampleRequest({ appNotificationId: `n-${(counter += 1)}` }, Date.now()))));
    const before = process.cpuUsage();
    for (const body of bodies) if ((await oneRequest(handle, subscriptionId, body)) !== 201) throw new Error('not 201');
    const used = process.cpuUsage(before);
    if (b >= 4) cpu[t]!.push((used.user + used.system) / batch);
  }
}
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
trees.forEach((tree, t) => process.stdout.write(`${mode} ${tree.split('/').pop()}: median ${median(cpu[t]!).toFixed(2)} µs, mean ${mean(cpu[t]!).toFixed(2)}, q1 ${[...cpu[t]!].sort((a, b) => a - b)[Math.floor(cpu[t]!.length / 4)]!.toFixed(2)}\n`));
const ratios = cpu[1]!.map((v, i) => v / cpu[0]![i]!);
process.stdout.write(`ratio second/first tree, batch by batch: median ${median(ratios).toFixed(3)}, mean ${mean(ratios).toFixed(3)}\n`);
