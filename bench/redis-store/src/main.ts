/**
 * The Redis store's benchmarks, on a redis-server this process starts and stops:
 *
 *   pnpm bench [--json] [--sends N] [--rounds N] [--work N] [--notifications N] [--calls N] [--only sends|deliveries|feed]
 *
 * 1: send throughput with 256 concurrent senders, against a bare Lua script and BullMQ,
 *    with Redis and Node CPU per send.
 * 2: deliveries completed by three processes, against three BullMQ worker processes.
 * 3: the first feed page and the unread count of a user with 100,000 notifications.
 * Build the packages first (`npx tsc -b tsconfig.build.json` at the root).
 */
import { cpus } from 'node:os';
import { Redis } from 'ioredis';
import { feedReads } from './feed-reads.js';
// The redis-server helper of the Redis store's tests: free loopback port, no persistence.
import { startRedisServer } from '../../../packages/store-redis/test/redis-server.js';
import { report, type BenchResult } from '@herald/bench-support';
import { sendThroughput } from './send-throughput.js';
import { deliveryThroughput } from './deliveries.js';

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index === -1 ? undefined : Number(process.argv[index + 1]);
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} takes a whole number`);
  return value;
}

const json = process.argv.includes('--json');
const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex === -1 ? undefined : process.argv[onlyIndex + 1];
const runs = (part: string): boolean => only === undefined || only === part;
const log = (line: string): void => {
  if (!json) process.stderr.write(`${line}\n`);
};

const redis = await startRedisServer();
const admin = new Redis(redis.url);
try {
  const version = /redis_version:(\S+)/.exec(await admin.info('server'))?.[1] ?? '?';
  log(`node ${process.version}, redis ${version} on ${redis.url}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);
  const results: BenchResult[] = [];
  const rounds = option('--rounds', 2);
  if (runs('sends')) {
    log('1: sends, 256 concurrent senders …');
    const sends = option('--sends', 30_000);
    const rows = await sendThroughput(redis, admin, { total: sends, warmup: Math.min(5_000, sends), rounds, log });
    if (!json) report(rows, false);
    results.push(...rows);
  }
  if (runs('deliveries')) {
    log('2: deliveries, 3 processes …');
    const rows = await deliveryThroughput(redis.url, redis.port, admin, { notifications: option('--work', 10_000), rounds, log });
    if (!json) report(rows, false);
    results.push(...rows);
  }
  if (runs('feed')) {
    await admin.flushdb();
    log('3: feed reads …');
    const feed = await feedReads(redis.url, option('--notifications', 100_000), option('--calls', 20_000));
    if (!json) report(feed, false);
    results.push(...feed);
  }
  if (json) report(results, true);
} finally {
  admin.disconnect();
  await redis.destroy();
}
