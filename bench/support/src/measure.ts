/**
 * Timing and memory helpers: percentiles of many short calls, and retained heap.
 */
import { performance } from 'node:perf_hooks';

/** The p-th percentile (0–100) of `samples`, which it sorts. */
export function percentile(samples: number[], p: number): number {
  samples.sort((a, b) => a - b);
  const index = Math.min(samples.length - 1, Math.ceil((p / 100) * samples.length) - 1);
  return samples[Math.max(0, index)] ?? Number.NaN;
}

/** Milliseconds each of `runs` calls of `call` took, after `warmup` calls. */
export async function timeCalls(call: () => Promise<unknown>, runs: number, warmup = Math.min(1000, runs)): Promise<number[]> {
  for (let i = 0; i < warmup; i += 1) await call();
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    await call();
    samples.push(performance.now() - start);
  }
  return samples;
}

/** Heap in use after a full collection (needs `node --expose-gc`). */
export function retainedHeap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc to measure retained heap');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

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
