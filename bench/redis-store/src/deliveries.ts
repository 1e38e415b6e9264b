/**
 * Scenario 2: the delivery side. The same deliveries — three per notification, to a
 * transport (or a processor) that does nothing — are completed by three processes sharing
 * the Redis: Herald services' dispatchers against BullMQ workers, each process with the
 * same concurrency. The work is queued first; the clock runs from `go` until the
 * processes' completions add up to all of it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { rate, type BenchResult } from '@herald/bench-support';
import { benchQueue, deliveryJobs } from './bullmq-sends.js';
import { startMeter, type SideFigures } from './cpu-meter.js';
import type { WorkerMessage } from './delivery-worker.js';
import { heraldService } from './herald-sends.js';
import { platforms, referenceRequest, senders, userOf } from './reference.js';

/** Worker processes per side. */
const processes = 3;
/** Deliveries each process works at once. */
const concurrency = 64;

type Side = 'herald' | 'bullmq';

/** Queues `notifications` notifications' deliveries (three each) for `side`, nothing worked yet. */
async function queueWork(side: Side, url: string, port: number, notifications: number): Promise<void> {
  if (side === 'herald') {
    const { service } = await heraldService(url);
    try {
      await rate(notifications, senders, (index) => service.send(referenceRequest(`d-${index}`), { userId: userOf(index) }));
    } finally {
      await service.close();
    }
    return;
  }
  const queue = benchQueue(port);
  try {
    await rate(notifications, senders, (index) => queue.addBulk(deliveryJobs(userOf(index), `d-${index}`)));
  } finally {
    await queue.close();
  }
}

/** Starts the worker processes and resolves once each is connected. */
async function startWorkers(side: Side, port: number): Promise<{ children: ChildProcess[]; completed: number[] }> {
  const completed = Array.from({ length: processes }, () => 0);
  const children = completed.map((_, index) => {
    const child = fork(new URL('./delivery-worker.ts', import.meta.url), [side, String(port), String(concurrency)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.on('message', (message: WorkerMessage) => {
      if ('completed' in message) completed[index] = message.completed;
    });
    return child;
  });
  await Promise.all(children.map((child) => new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`a ${side} delivery worker exited with ${code} before it was ready`)));
    child.on('message', (message: WorkerMessage) => {
      if ('ready' in message) resolve();
    });
  })));
  return { children, completed };
}

/** Works `notifications` × 3 queued deliveries on three processes; returns deliveries per second and their cost. */
async function workRate(side: Side, url: string, port: number, admin: Redis, notifications: number): Promise<SideFigures> {
  await admin.flushdb();
  await queueWork(side, url, port, notifications);
  const total = notifications * platforms.length;
  const { children, completed } = await startWorkers(side, port);
  const meter = await startMeter(admin);
  const started = performance.now();
  for (const child of children) child.send('go');
  while (completed.reduce((a, b) => a + b, 0) < total) await new Promise((resolve) => setTimeout(resolve, 2));
  const perSecond = total / ((performance.now() - started) / 1000);
  const cpu = await Promise.all(children.map((child) => new Promise<number>((resolve) => {
    child.on('message', (message: WorkerMessage) => {
      if ('cpuMicros' in message) resolve(message.cpuMicros);
    });
    child.removeAllListeners('exit');
    child.send('stop');
  })));
  const cost = await meter.stop(total, cpu.reduce((a, b) => a + b, 0));
  await Promise.all(children.map((child) => (child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined)));
  return { perSecond, cost };
}

/** `rounds` interleaved rounds of both sides; each side's best round against the other's. */
export async function deliveryThroughput(url: string, port: number, admin: Redis, options: { notifications: number; rounds: number; log: (line: string) => void }): Promise<BenchResult[]> {
  const runs: { herald: SideFigures; bullmq: SideFigures }[] = [];
  for (let round = 1; round <= options.rounds; round += 1) {
    options.log(` round ${round} of ${options.rounds}`);
    const herald = await workRate('herald', url, port, admin, options.notifications);
    options.log(`   herald: ${Math.round(herald.perSecond)}/s, Redis ${herald.cost.redisUs.toFixed(1)} µs, Node ${herald.cost.nodeUs.toFixed(1)} µs, ${herald.cost.scriptCalls.toFixed(3)} script calls per delivery`);
    const bullmq = await workRate('bullmq', url, port, admin, options.notifications);
    options.log(`   bullmq: ${Math.round(bullmq.perSecond)}/s, Redis ${bullmq.cost.redisUs.toFixed(1)} µs, Node ${bullmq.cost.nodeUs.toFixed(1)} µs, ${bullmq.cost.scriptCalls.toFixed(3)} script calls per delivery`);
    runs.push({ herald, bullmq });
  }
  await admin.flushdb();
  const best = (side: Side): SideFigures => runs.map((run) => run[side]).reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
  const herald = best('herald');
  const bullmq = best('bullmq');
  const total = (options.notifications * platforms.length).toLocaleString('en-US');
  return [
    {
      scenario: `deliveries completed by ${processes} processes sharing one Redis (${concurrency} at a time each, a transport that does nothing, ${total} queued deliveries); Redis ${herald.cost.redisUs.toFixed(1)} µs and Node ${herald.cost.nodeUs.toFixed(1)} µs CPU per delivery (BullMQ ${bullmq.cost.redisUs.toFixed(1)} and ${bullmq.cost.nodeUs.toFixed(1)})`,
      unit: 'deliveries/s',
      herald: herald.perSecond,
      anchor: `BullMQ: ${processes} Worker processes completing the same jobs (concurrency ${concurrency} each)`,
      anchorValue: bullmq.perSecond,
      ratio: herald.perSecond / bullmq.perSecond,
      target: '>= 1x BullMQ',
      higherIsBetter: true,
      met: herald.perSecond >= bullmq.perSecond,
    },
  ];
}
