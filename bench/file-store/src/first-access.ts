/**
 * What the open leaves for later, measured: a restored store keeps finished deliveries
 * packed until first asked for, and indexes a user's notifications and deliveries by id on
 * first use. Opens the store in the given directory (as open-store.ts) and prints, in ms:
 * the open; the first `listDeliveries` of one notification (one list unpacked); the
 * first `getDelivery` of another user (that user's index built, all their lists
 * unpacked); then every user's (all deliveries made), with the heap and the external
 * memory (the packed bytes) before and after. Run with --expose-gc.
 *
 *   node --expose-gc --import tsx src/first-access.ts DIR     (run once by main.ts after scenario B)
 */
import { createFileStore } from '@herald/store-file';

const directory = process.argv[2];
if (directory === undefined) throw new Error('usage: first-access.ts <directory>');
const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => undefined);
const memory = async (): Promise<{ heapMB: number; externalMB: number }> => {
  gc();
  // Buffers' memory is given back after the collection, by a sweep of its own.
  await new Promise((resolve) => setTimeout(resolve, 100));
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return { heapMB: Math.round(heapUsed / 2 ** 20), externalMB: Math.round(arrayBuffers / 2 ** 20) };
};
const timed = async <T>(work: () => Promise<T>): Promise<[number, T]> => {
  const started = performance.now();
  const result = await work();
  return [performance.now() - started, result];
};

const [openMs, store] = await timed(() => createFileStore({ directory }));
const afterOpen = await memory();
const now = Date.now();
const users: string[] = [];
for (let user = 0; ; user++) {
  const page = await store.listFeed(`user-${user}`, { limit: 1 }, now);
  if (page.items.length === 0) break;
  users.push(`user-${user}`);
}
const first = (await store.listFeed('user-0', { limit: 1 }, now)).items[0];
if (first === undefined) throw new Error('the store has no user-0');
const [listMs, listed] = await timed(() => store.listDeliveries('user-0', first.id));
const other = (await store.listFeed('user-1', { limit: 1 }, now)).items[0];
const otherDeliveries = other === undefined ? [] : await store.listDeliveries('user-1', other.id);
const target = otherDeliveries[0];
let userIndexMs = Number.NaN;
if (target !== undefined) {
  // user-2's deliveries, looked up by an id of user-1's: the index of user-2 is built and found empty of it.
  [userIndexMs] = await timed(() => store.getDelivery('user-2', target.id));
}
const [allMs] = await timed(async () => {
  for (const userId of users) await store.getDelivery(userId, 'no-such-delivery');
});
const afterAll = await memory();
await store.close();
process.stdout.write(
  `${JSON.stringify({ openMs: Math.round(openMs), afterOpen, firstListDeliveriesMs: +listMs.toFixed(3), listed: listed.length, firstUserIndexMs: +userIndexMs.toFixed(3), users: users.length, everyUserIndexMs: Math.round(allMs), afterAll })}\n`,
);
