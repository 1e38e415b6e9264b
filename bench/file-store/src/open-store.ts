/**
 * Opens the store in the given directory once, in this fresh process, and prints
 * `{ seconds, heapBytes }`: how long the open took and the heap it holds (after a full
 * collection; run with --expose-gc).
 */
import { createFileStore } from '@herald/store-file';

const directory = process.argv[2];
if (directory === undefined) throw new Error('usage: open-store.ts <directory>');
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const before = process.memoryUsage().heapUsed;
const started = performance.now();
const store = await createFileStore({ directory });
const seconds = (performance.now() - started) / 1000;
gc?.();
gc?.();
const heapBytes = process.memoryUsage().heapUsed - before;
await store.close();
process.stdout.write(JSON.stringify({ seconds, heapBytes }));
