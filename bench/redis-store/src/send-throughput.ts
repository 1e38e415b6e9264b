/**
 * Scenario 1: send throughput with 256 concurrent senders, Herald against BullMQ and
 * against the bare script, in the same run on the same Redis, the database flushed
 * before each side. Each side warms up, then sends a fixed count.
 */
import type { Redis } from 'ioredis';
import { bareSaves } from './bare-sends.js';
import { bullmqAdds } from './bullmq-sends.js';
import { heraldSends } from './herald-sends.js';
import { senders } from './reference.js';
import type { BenchResult } from '@herald/bench-support';
import type { RedisServer } from '../../../packages/store-redis/test/redis-server.js';

/** The three rates, notifications per second. */
interface SendRates {
  readonly herald: number;
  readonly bullmq: number;
  readonly bare: number;
}

/** Runs each side once, `total` sends after `warmup`, flushing the database before each. */
async function sendRates(redis: RedisServer, admin: Redis, total: number, warmup: number, log: (line: string) => void): Promise<SendRates> {
  await admin.flushdb();
  const herald = await heraldSends(redis.url, total, warmup);
  log(`   herald: ${Math.round(herald)}/s`);
  await admin.flushdb();
  const bullmq = await bullmqAdds(redis.port, total, warmup);
  log(`   bullmq: ${Math.round(bullmq)}/s`);
  await admin.flushdb();
  const bare = await bareSaves(redis.url, total, warmup);
  log(`   bare:   ${Math.round(bare)}/s`);
  await admin.flushdb();
  return { herald, bullmq, bare };
}

/**
 * Runs `rounds` rounds of the three sides, interleaved so that a slow spell of the machine
 * falls on all of them, and reports each side's best round.
 */
export async function sendThroughput(redis: RedisServer, admin: Redis, options: { total: number; warmup: number; rounds: number; log: (line: string) => void }): Promise<BenchResult[]> {
  const runs: SendRates[] = [];
  for (let round = 1; round <= options.rounds; round += 1) {
    options.log(` round ${round} of ${options.rounds}`);
    runs.push(await sendRates(redis, admin, options.total, options.warmup, options.log));
  }
  const best = (side: keyof SendRates): number => Math.max(...runs.map((run) => run[side]));
  const herald = best('herald');
  const count = `${senders} concurrent senders, ${options.total.toLocaleString('en-US')} sends`;
  const bullmq = best('bullmq');
  const bare = best('bare');
  return [
    {
      scenario: `send (Redis store, reference notification + 3 deliveries, ${count}) vs BullMQ`,
      unit: 'notifications/s',
      herald,
      anchor: 'BullMQ Queue.add of the same JSON payload (1 job per notification: job hash, wait list, event stream entry)',
      anchorValue: bullmq,
      ratio: herald / bullmq,
      target: '>= 1.3x BullMQ',
      higherIsBetter: true,
      met: herald / bullmq >= 1.3,
    },
    {
      scenario: `send (Redis store, reference notification + 3 deliveries, ${count}) vs bare script`,
      unit: 'notifications/s',
      herald,
      anchor: 'bare ioredis Lua script making the same writes',
      anchorValue: bare,
      ratio: herald / bare,
      target: '>= 0.8x the bare script',
      higherIsBetter: true,
      met: herald / bare >= 0.8,
    },
  ];
}
