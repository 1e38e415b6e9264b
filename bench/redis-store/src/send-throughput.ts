/**
 * Scenario 1: send throughput with 256 concurrent senders, Herald against three anchors
 * in the same run on the same Redis, the database flushed before each side: (a) the bare
 * per-send Lua script, (b) BullMQ writing the record and adding its three delivery jobs,
 * (c) BullMQ `Queue.add` of one job. Each side warms up, then sends a fixed count; its
 * Redis and Node CPU per send are measured over the same sends.
 */
import type { Redis } from 'ioredis';
import { bareSaves } from './bare-sends.js';
import { bullmqAdds, bullmqRecordAndJobs } from './bullmq-sends.js';
import type { SideFigures } from './cpu-meter.js';
import { heraldSends } from './herald-sends.js';
import { senders } from './reference.js';
import type { BenchResult } from '@herald/bench-support';
import type { RedisServer } from '../../../packages/store-redis/test/redis-server.js';

/** Every side's figures in one round. */
interface SendRound {
  readonly herald: SideFigures;
  readonly bare: SideFigures;
  readonly recordAndJobs: SideFigures;
  readonly add: SideFigures;
}

const describe = (name: string, side: SideFigures): string =>
  `   ${name.padEnd(16)} ${Math.round(side.perSecond)}/s, Redis ${side.cost.redisUs.toFixed(1)} µs, Node ${side.cost.nodeUs.toFixed(1)} µs, ${side.cost.scriptCalls.toFixed(3)} script calls per send`;

/** Runs each side once, `total` sends after `warmup`, flushing the database before each. */
async function sendRound(redis: RedisServer, admin: Redis, total: number, warmup: number, log: (line: string) => void): Promise<SendRound> {
  const side = async (name: string, run: () => Promise<SideFigures>): Promise<SideFigures> => {
    await admin.flushdb();
    const figures = await run();
    log(describe(name, figures));
    return figures;
  };
  const herald = await side('herald', () => heraldSends(redis.url, admin, total, warmup));
  const bare = await side('(a) bare script', () => bareSaves(redis.url, admin, total, warmup));
  const recordAndJobs = await side('(b) BullMQ 1+3', () => bullmqRecordAndJobs(redis.port, admin, total, warmup));
  const add = await side('(c) Queue.add', () => bullmqAdds(redis.port, admin, total, warmup));
  await admin.flushdb();
  return { herald, bare, recordAndJobs, add };
}

/** A row comparing a rate with an anchor's, met at `target` x or more. */
function rateRow(scenario: string, herald: number, anchor: string, anchorValue: number, target: number, targetText: string): BenchResult {
  const ratio = herald / anchorValue;
  return { scenario, unit: 'notifications/s', herald, anchor, anchorValue, ratio, target: targetText, higherIsBetter: true, met: ratio >= target };
}

/**
 * Runs `rounds` rounds of the four sides, interleaved so that a slow spell of the machine
 * falls on all of them, and reports each side's best round (by rate, with that round's CPU).
 */
export async function sendThroughput(redis: RedisServer, admin: Redis, options: { total: number; warmup: number; rounds: number; log: (line: string) => void }): Promise<BenchResult[]> {
  const rounds: SendRound[] = [];
  for (let round = 1; round <= options.rounds; round += 1) {
    options.log(` round ${round} of ${options.rounds}`);
    rounds.push(await sendRound(redis, admin, options.total, options.warmup, options.log));
  }
  const best = (side: keyof SendRound): SideFigures => rounds.map((round) => round[side]).reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
  const herald = best('herald');
  const bare = best('bare');
  const recordAndJobs = best('recordAndJobs');
  const add = best('add');
  const send = `send (Redis store, reference notification + 3 deliveries, ${senders} concurrent senders, ${options.total.toLocaleString('en-US')} sends)`;
  const redisCpu = herald.cost.redisUs;
  return [
    rateRow(`${send} vs (a)`, herald.perSecond, '(a) bare ioredis Lua script per send making the same writes', bare.perSecond, 1.5, '>= 1.5x (a)'),
    rateRow(`${send} vs (b)`, herald.perSecond, '(b) BullMQ: the notification record written (HSET) and its 3 delivery jobs added (Queue.addBulk)', recordAndJobs.perSecond, 1.3, '>= 1.3x (b)'),
    // A reference for one job's cost; the target only guards the ratio measured before group commit.
    rateRow(`${send} vs (c)`, herald.perSecond, '(c) BullMQ Queue.add of one job per notification (reference)', add.perSecond, 0.33, '>= 0.33x (c), the ratio the issue measured before group commit'),
    {
      scenario: `Redis CPU per send (INFO cpu, user + system), same sends; ${herald.cost.scriptCalls.toFixed(3)} script calls per send`,
      unit: 'µs',
      herald: redisCpu,
      anchor: '(a) the bare script, per send',
      anchorValue: bare.cost.redisUs,
      ratio: redisCpu / bare.cost.redisUs,
      target: '<= 40 µs',
      higherIsBetter: false,
      met: redisCpu <= 40,
    },
    {
      scenario: 'Node CPU per send (process.cpuUsage), same sends',
      unit: 'µs',
      herald: herald.cost.nodeUs,
      anchor: '(b) BullMQ record + 3 jobs, per send',
      anchorValue: recordAndJobs.cost.nodeUs,
      ratio: herald.cost.nodeUs / recordAndJobs.cost.nodeUs,
      target: '<= 1x (b)',
      higherIsBetter: false,
      met: herald.cost.nodeUs <= recordAndJobs.cost.nodeUs,
    },
  ];
}
