/**
 * One process of the delivery benchmark (started by `deliveries.ts`, not by hand):
 *
 *   node --import tsx src/delivery-worker.ts <herald|bullmq> <redis port> <concurrency>
 *
 * It connects, says `ready`, starts working on `go` (a Herald service's dispatcher with a
 * transport that does nothing, or a BullMQ worker whose processor does nothing), reports
 * how many deliveries it completed as the count grows, and on `stop` reports the CPU it
 * spent since `go` and exits.
 */
import { createNotificationService } from '@herald/core';
import type { Transport } from '@herald/core';
import { createRedisStore } from '@herald/store-redis';
import { Worker } from 'bullmq';
import { benchQueueName } from './bullmq-sends.js';

/** What a worker process tells the benchmark. */
export type WorkerMessage = { readonly ready: true } | { readonly completed: number } | { readonly cpuMicros: number };

const [side, portText, concurrencyText] = process.argv.slice(2);
const port = Number(portText);
const concurrency = Number(concurrencyText);
const tell = (message: WorkerMessage): void => {
  process.send?.(message);
};

let completed = 0;
let started: NodeJS.CpuUsage | undefined;
let start: () => void;
let close: () => Promise<void>;

if (side === 'herald') {
  const noop: Transport = { name: 'noop', send: async () => undefined };
  const store = await createRedisStore({ url: `redis://127.0.0.1:${port}`, prefix: 'bench' });
  const service = createNotificationService({ store, transports: [noop], dispatcher: { autoStart: false, concurrency } });
  service.on('delivery.succeeded', () => {
    completed += 1;
  });
  start = () => service.start();
  close = () => service.close();
} else if (side === 'bullmq') {
  const worker = new Worker(benchQueueName, async () => undefined, { connection: { host: '127.0.0.1', port }, concurrency, autorun: false });
  worker.on('completed', () => {
    completed += 1;
  });
  await worker.waitUntilReady();
  start = () => void worker.run();
  close = () => worker.close();
} else {
  throw new Error(`delivery-worker takes herald or bullmq, not ${String(side)}`);
}

// Counts go out at most every 5 ms: the benchmark's clock stops when they add up.
let told = 0;
const reporter = setInterval(() => {
  if (completed !== told) tell({ completed: (told = completed) });
}, 5);

process.on('message', (message: unknown) => {
  if (message === 'go') {
    started = process.cpuUsage();
    start();
  } else if (message === 'stop') {
    const spent = process.cpuUsage(started);
    clearInterval(reporter);
    tell({ cpuMicros: spent.user + spent.system });
    void close().finally(() => process.exit(0));
  }
});
tell({ ready: true });
