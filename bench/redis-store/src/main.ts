/**
 * The Redis store's benchmarks, on a redis-server this process starts and stops:
 *
 *   pnpm bench [--json] [--sends N] [--rounds N] [--notifications N] [--calls N]
 *
 * 1: send throughput with 256 concurrent senders, against BullMQ and a bare Lua script.
 * 2: the first feed page and the unread count of a user with 100,000 notifications.
 * Build the packages first (`npx tsc -b tsconfig.build.json` at the root).
 */
import { cpus } from 'node:os';
import { Redis } from 'ioredis';
import { feedReads } from './feed-reads.js';
// The redis-server helper of the Redis store's tests: free loopback port, no persistence.
import { startRedisServer } from '../../../packages/store-redis/test/redis-server.js';
import { report, type BenchResult } from '@herald/bench-support';
import { sendThroughput } from './send-throughput.js';

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index === -1 ? undefined : Number(process.argv[index + 1]);
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} takes a whole number`);
  return value;
}

const json = process.argv.includes('--json');
const log = (line: string): void => {
  if (!json) process.stderr.write(`${line}\n`);
};

const redis = await startRedisServer();
const admin = new Redis(redis.url);
try {
  const version = /redis_version:(\S+)/.exec(await admin.info('server'))?.[1] ?? '?';
  log(`node ${process.version}, redis ${version} on ${redis.url}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);
  const results: BenchResult[] = [];
  log('1: sends, 256 concurrent senders …');
  const sends = option('--sends', 30_000);
  results.push(...(await sendThroughput(redis, admin, { total: sends, warmup: Math.min(5_000, sends), rounds: option('--rounds', 2), log })));
  if (!json) report(results, false);
  await admin.flushdb();
  log('2: feed reads …');
  const feed = await feedReads(redis.url, option('--notifications', 100_000), option('--calls', 20_000));
  if (!json) report(feed, false);
  results.push(...feed);
  if (json) report(results, true);
} finally {
  admin.disconnect();
  await redis.destroy();
}
