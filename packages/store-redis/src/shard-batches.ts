/**
 * Group commit per shard, as the file store does with fsync: calls to one shard that
 * arrive while that shard's script call is in flight (or in the same event-loop turn)
 * wait together and go out as one script call, which answers each of them. So Redis runs
 * one script (one command, one prelude, one reply) for many sends rather than one each,
 * and the busier the store, the bigger the batches. A lone call waits for nothing but the
 * end of the current turn: no timer, so its latency does not grow.
 *
 * One call per shard at a time keeps a shard's calls in the order they were made, which
 * a single-server and a cluster connection both preserve; shards go in parallel.
 */
import type { ScriptArgument } from './client.js';
import { storeError } from './errors.js';
import type { ShardRoute } from './keys.js';

/** The arguments of a batch's script call: the shard's tag, the item count, then each item's arguments. */
export function batchArguments(tag: string, items: readonly (readonly ScriptArgument[])[]): ScriptArgument[] {
  const args: ScriptArgument[] = [tag, items.length];
  for (const item of items) for (const arg of item) args.push(arg);
  return args;
}

/** Runs one batch of a shard: one reply per item, in order. */
export type BatchRunner<Item> = (route: ShardRoute, items: readonly Item[]) => Promise<readonly unknown[]>;

interface Waiting<Item> {
  readonly item: Item;
  readonly resolve: (reply: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** One shard's queue. */
interface ShardQueue<Item> {
  readonly route: ShardRoute;
  waiting: Waiting<Item>[];
  inFlight: boolean;
  scheduled: boolean;
}

/** The batches of one kind of call (saves, completions) on every shard. */
export class ShardBatches<Item> {
  readonly #run: BatchRunner<Item>;
  readonly #maxBatch: number;
  readonly #what: string;
  readonly #shards = new Map<string, ShardQueue<Item>>();

  /**
   * @param what - the call, for messages.
   * @param maxBatch - most items per script call: a script blocks Redis while it runs, so
   *   a batch is bounded (a longer queue goes out in several calls, in order).
   */
  constructor(what: string, maxBatch: number, run: BatchRunner<Item>) {
    this.#what = what;
    this.#maxBatch = maxBatch;
    this.#run = run;
  }

  /**
   * Queues `item` for the shard of `route` (any route of the shard: every key of a shard
   * is in its slot); resolves with the item's own reply, or rejects when the batch's call failed.
   */
  submit(route: ShardRoute, item: Item): Promise<unknown> {
    let shard = this.#shards.get(route.tag);
    if (shard === undefined) {
      shard = { route, waiting: [], inFlight: false, scheduled: false };
      this.#shards.set(route.tag, shard);
    }
    const queued = shard;
    return new Promise((resolve, reject) => {
      queued.waiting.push({ item, resolve, reject });
      this.#schedule(queued);
    });
  }

  /**
   * Flushes at the end of this turn (`process.nextTick` runs once the promise jobs are
   * done), so the calls that the same turn makes, or that the last batch's replies set
   * off, join the batch.
   */
  #schedule(shard: ShardQueue<Item>): void {
    if (shard.inFlight || shard.scheduled) return;
    shard.scheduled = true;
    process.nextTick(() => {
      shard.scheduled = false;
      this.#flush(shard);
    });
  }

  #flush(shard: ShardQueue<Item>): void {
    if (shard.inFlight || shard.waiting.length === 0) return;
    const batch = shard.waiting.length <= this.#maxBatch ? shard.waiting : shard.waiting.slice(0, this.#maxBatch);
    shard.waiting = batch === shard.waiting ? [] : shard.waiting.slice(this.#maxBatch);
    shard.inFlight = true;
    const settle = (): void => {
      shard.inFlight = false;
      if (shard.waiting.length > 0) this.#schedule(shard);
    };
    let running: Promise<readonly unknown[]>;
    try {
      running = this.#run(shard.route, batch.map((waiting) => waiting.item));
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(
      (replies) => {
        settle();
        if (replies.length !== batch.length) {
          const error = storeError('STORE_CORRUPT', `${this.#what} answered ${replies.length} replies for ${batch.length} calls`);
          for (const waiting of batch) waiting.reject(error);
          return;
        }
        batch.forEach((waiting, index) => waiting.resolve(replies[index]));
      },
      (error: unknown) => {
        settle();
        for (const waiting of batch) waiting.reject(error);
      },
    );
  }
}
