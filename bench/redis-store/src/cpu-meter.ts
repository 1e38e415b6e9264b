/**
 * What a side of a benchmark costs, not only how fast it goes: the redis-server's CPU
 * (`INFO cpu`, user + system, so its socket work counts too), the script calls it ran
 * (`INFO commandstats`), and this process's CPU (`process.cpuUsage`), as deltas over the
 * measured part only (after the warm-up), per unit of work.
 */
import type { Redis } from 'ioredis';
import { rate } from '@herald/bench-support';

/** CPU and calls per unit of work (a send, a delivery). */
export interface CpuCost {
  /** Microseconds of redis-server CPU per unit. */
  readonly redisUs: number;
  /** Microseconds of Node CPU per unit, in the processes that did the work. */
  readonly nodeUs: number;
  /** `EVALSHA` + `EVAL` calls per unit: a script call per send shows as 1, a batch as less. */
  readonly scriptCalls: number;
}

/** A snapshot of redis-server's counters. */
interface RedisCounters {
  readonly cpuSeconds: number;
  readonly scriptCalls: number;
}

async function redisCounters(admin: Redis): Promise<RedisCounters> {
  const [cpu, stats] = await Promise.all([admin.info('cpu'), admin.info('commandstats')]);
  const seconds = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(cpu)?.[1] ?? Number.NaN);
  const calls = (command: string): number => Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
  return { cpuSeconds: seconds('used_cpu_user') + seconds('used_cpu_sys'), scriptCalls: calls('evalsha') + calls('eval') };
}

/**
 * A meter started before the measured work: `stop(units, nodeMicros?)` gives the cost per
 * unit. `nodeMicros` is the CPU of worker processes when they, not this one, did the work.
 */
export async function startMeter(admin: Redis): Promise<{ stop: (units: number, nodeMicros?: number) => Promise<CpuCost> }> {
  const before = await redisCounters(admin);
  const node = process.cpuUsage();
  return {
    async stop(units, nodeMicros) {
      const spent = process.cpuUsage(node);
      const after = await redisCounters(admin);
      return {
        redisUs: ((after.cpuSeconds - before.cpuSeconds) * 1e6) / units,
        nodeUs: (nodeMicros ?? spent.user + spent.system) / units,
        scriptCalls: (after.scriptCalls - before.scriptCalls) / units,
      };
    },
  };
}

/** A side's rate and what it cost. */
export interface SideFigures {
  /** Units of work per second. */
  readonly perSecond: number;
  /** CPU and script calls per unit. */
  readonly cost: CpuCost;
}

/** `rate(total, concurrency, call)` with the meter around it. */
export async function measuredRate(admin: Redis, total: number, concurrency: number, call: (index: number) => Promise<unknown>): Promise<SideFigures> {
  const meter = await startMeter(admin);
  const perSecond = await rate(total, concurrency, call);
  return { perSecond, cost: await meter.stop(total) };
}
