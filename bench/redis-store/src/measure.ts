/**
 * Throughput of a fixed amount of work spread over concurrent callers (percentiles of
 * sequential calls come from @herald/bench-support).
 */
import { performance } from 'node:perf_hooks';

/**
 * Runs `call(0)` … `call(total - 1)` on `concurrency` callers, each starting its next call
 * as soon as its last one settled; returns calls per second.
 */
export async function rate(total: number, concurrency: number, call: (index: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let index = next++; index < total; index = next++) await call(index);
    }),
  );
  return total / ((performance.now() - started) / 1000);
}
