/**
 * The open deliveries, by when each becomes claimable: a min-heap with lazy deletion.
 * A claim pops the earliest, so claiming is O(log n) per delivery however many wait.
 *
 * A delivery remembers the key of its live node (`dueKey`); a node whose key no longer
 * matches is stale and dropped when it surfaces. Stale nodes are swept out once they
 * outnumber the live ones.
 */
import type { OpenDelivery } from './delivery-record.js';
import { MinHeap } from './min-heap.js';

const minStaleBeforeSweep = 1024;

/** The open deliveries in claim order. */
export class DueQueue {
  readonly #heap = new MinHeap<OpenDelivery>();
  #queued = 0;

  /** Deliveries in the queue. */
  get size(): number {
    return this.#queued;
  }

  /** Heap nodes, live and stale: what the queue's memory follows. */
  get nodes(): number {
    return this.#heap.size;
  }

  /** Puts `delivery` in the queue at its `claimableAt`, or moves it there. */
  schedule(delivery: OpenDelivery): void {
    const key = delivery.claimableAt;
    if (delivery.dueKey === key) return;
    if (delivery.dueKey < 0) this.#queued++;
    delivery.dueKey = key;
    this.#heap.push(key, delivery);
    this.#sweepIfStale();
  }

  /** Takes `delivery` out of the queue (it finished or left the store). */
  unschedule(delivery: OpenDelivery): void {
    if (delivery.dueKey < 0) return;
    delivery.dueKey = -1;
    this.#queued--;
    this.#sweepIfStale();
  }

  /** The earliest time a queued delivery becomes claimable. */
  nextDueAt(): number | undefined {
    this.#dropStaleTop();
    return this.#heap.peekKey();
  }

  /**
   * Takes the earliest delivery claimable at `now` out of the queue, or returns
   * `undefined`. The caller leases it and schedules it again.
   */
  takeDue(now: number): OpenDelivery | undefined {
    this.#dropStaleTop();
    const key = this.#heap.peekKey();
    if (key === undefined || key > now) return undefined;
    const delivery = this.#heap.peekValue() as OpenDelivery;
    this.#heap.pop();
    delivery.dueKey = -1;
    this.#queued--;
    return delivery;
  }

  /** Every queued delivery, once each, in no particular order. */
  queued(): OpenDelivery[] {
    // A delivery moved away from a key and back may have two live-looking nodes: take it once.
    const found = new Set<OpenDelivery>();
    this.#heap.visitUpTo(Number.POSITIVE_INFINITY, (delivery, key) => {
      if (delivery.dueKey === key) found.add(delivery);
      return true;
    });
    return [...found];
  }

  #dropStaleTop(): void {
    for (;;) {
      const delivery = this.#heap.peekValue();
      if (delivery === undefined || delivery.dueKey === this.#heap.peekKey()) return;
      this.#heap.pop();
    }
  }

  #sweepIfStale(): void {
    // An empty queue keeps no stale node: each would hold a finished delivery's notification.
    if (this.#queued === 0 && this.#heap.size > 0) {
      this.#heap.rebuild(() => false);
      return;
    }
    const stale = this.#heap.size - this.#queued;
    if (stale < minStaleBeforeSweep || stale <= this.#queued) return;
    // A delivery moved away from a key and back has two nodes with the same key; keep one.
    const kept = new Set<OpenDelivery>();
    this.#heap.rebuild((delivery, key) => {
      if (delivery.dueKey !== key || kept.has(delivery)) return false;
      kept.add(delivery);
      return true;
    });
  }
}
