/**
 * Fan-out latency of the live feed: from a send to its event at an SSE client reading
 * `GET /me/notifications/stream` on loopback, one send at a time (the next after the
 * event arrived), so the figure is the path's latency, not a queue's.
 *
 *   pnpm bench [--json] [--sends N]
 *
 * 1: memory store, one process: `service.send` → the watch's wake-up → the SSE write.
 *    Anchor: a bare node:http SSE handler writing the event when told (no store).
 * 2: Redis, two processes: process A sends (`service.send` through its Redis store),
 *    process B (this one) serves the stream through its own store; A's announcement on
 *    the feed channel wakes B's watch. Anchor: A PUBLISHes, B's subscriber writes the
 *    SSE event (the same hops without Herald).
 * Times are taken in this process: from writing the send's command to the event's arrival.
 */
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { percentile, report, type BenchResult } from '@herald/bench-support';
import { createNotificationService } from '@herald/core';
import { createMemoryStore } from '@herald/store-memory';
import { createRedisStore } from '@herald/store-redis';
// The redis-server helper of the Redis store's tests: free loopback port, no persistence.
import { startRedisServer } from '../../../packages/store-redis/test/redis-server.js';
import { runSender } from './sender.js';
import { readEvents } from './sse-reader.js';
import { bareStream, heraldStream } from './servers.js';

if (process.argv[2] === 'sender') {
  await runSender(process.argv[3] as string, process.argv[4] as string, process.argv[5] as string);
  process.exit(0);
}

const json = process.argv.includes('--json');
const sendsIndex = process.argv.indexOf('--sends');
const sends = sendsIndex === -1 ? 2000 : Number(process.argv[sendsIndex + 1]);
const warmup = Math.min(200, Math.floor(sends / 5));
const log = (line: string): void => {
  if (!json) process.stderr.write(`${line}\n`);
};

/** Times `count` round trips: `trigger(i)` starts one, the client's next event ends it. */
async function latencies(url: string, headers: Record<string, string>, count: number, trigger: (index: number) => unknown): Promise<number[]> {
  let arrived: (() => void) | undefined;
  const reader = await readEvents(url, headers, (event) => {
    if (event === 'created') arrived?.();
  });
  const samples: number[] = [];
  try {
    for (let index = 0; index < warmup + count; index++) {
      const event = new Promise<void>((resolve) => (arrived = resolve));
      const start = performance.now();
      await trigger(index);
      await event;
      if (index >= warmup) samples.push(performance.now() - start);
    }
  } finally {
    reader.close();
  }
  return samples;
}

function result(scenario: string, herald: number[], anchor: number[], anchorName: string, p: 50 | 99): BenchResult {
  const value = percentile(herald, p);
  const anchorValue = percentile(anchor, p);
  return {
    scenario: `${scenario}: p${p}`,
    unit: 'ms',
    herald: value,
    anchor: anchorName,
    anchorValue,
    ratio: value / anchorValue,
    target: 'p99 < 50 ms on loopback',
    higherIsBetter: false,
    met: p === 99 ? value < 50 : true,
  };
}

async function memoryRun(): Promise<BenchResult[]> {
  const service = createNotificationService({ store: createMemoryStore(), dispatcher: { autoStart: false } });
  const herald = await heraldStream(service);
  const bare = await bareStream();
  try {
    const alice = { authorization: 'Bearer alice' };
    const heraldSamples = await latencies(herald.url, alice, sends, (index) =>
      service.send({ targetHostName: 'bench.example', appNotificationId: `n${index}`, payload: { visualContent: { title: 'Bench', body: `${index}` } } }, { userId: 'alice' }),
    );
    const bareSamples = await latencies(bare.url, {}, sends, (index) => bare.push(`{"n":${index}}`));
    const scenario = 'Stream fan-out, memory store, one process (send → SSE event at the client)';
    const anchor = 'bare node:http SSE write, no store';
    return [result(scenario, heraldSamples, bareSamples, anchor, 50), result(scenario, heraldSamples, bareSamples, anchor, 99)];
  } finally {
    await Promise.all([herald.close(), bare.close()]);
    await service.close();
  }
}

/** Starts the sending process A in `mode`; resolves with a function that makes it send once. */
async function startSender(mode: 'herald' | 'bare', url: string, prefix: string): Promise<{ send(line: string): void; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'sender', mode, url, prefix], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the ${mode} sender exited (${code})`)));
    createInterface({ input: child.stdout }).once('line', () => resolve());
  });
  return { send: (line) => child.stdin.write(`${line}\n`), stop: () => child.stdin.end() };
}

async function redisRun(): Promise<BenchResult[]> {
  const redis = await startRedisServer();
  const prefix = 'bench-stream';
  const service = createNotificationService({ store: await createRedisStore({ url: redis.url, prefix }), dispatcher: { autoStart: false } });
  const herald = await heraldStream(service);
  const bare = await bareStream();
  const subscriber = new Redis(redis.url);
  try {
    const version = /redis_version:(\S+)/.exec(await subscriber.info('server'))?.[1] ?? '?';
    log(`redis ${version} on ${redis.url}`);
    const heraldSender = await startSender('herald', redis.url, prefix);
    const heraldSamples = await latencies(herald.url, { authorization: 'Bearer alice' }, sends, (index) => heraldSender.send(`n${index}`));
    heraldSender.stop();

    await subscriber.subscribe(`${prefix}:bare`);
    subscriber.on('message', (_channel: string, message: string) => bare.push(JSON.stringify(message)));
    const bareSender = await startSender('bare', redis.url, prefix);
    const bareSamples = await latencies(bare.url, {}, sends, (index) => bareSender.send(`n${index}`));
    bareSender.stop();
    const scenario = 'Stream fan-out, Redis, send in process A → SSE event from process B';
    const anchor = 'PUBLISH in A → SUBSCRIBE in B → bare SSE write';
    return [result(scenario, heraldSamples, bareSamples, anchor, 50), result(scenario, heraldSamples, bareSamples, anchor, 99)];
  } finally {
    subscriber.disconnect();
    await Promise.all([herald.close(), bare.close()]);
    await service.close();
    await redis.destroy();
  }
}

log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${sends} sends per run after ${warmup} warm-up sends`);
log('1: memory store, one process …');
const results = await memoryRun();
log('2: Redis, two processes …');
results.push(...(await redisRun()));
report(results, json);
