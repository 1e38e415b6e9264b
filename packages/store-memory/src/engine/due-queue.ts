/**
 * The open deliveries, by when each becomes claimable: a run and an indexed min-heap. A
 * claim takes the earliest of either, so claiming is O(log n) at worst however many wait.
 *
 * Unleased deliveries scheduled in the order of their keys (sends due now, one after
 * another: nearly all of them) join the run (`due-run.ts`), a queue with O(1) ends; the
 * rest (leased ones, retries, sends scheduled for later than one that followed them) go
 * to the heap. Each delivery in the heap records its slot (`dueSlot`), so moving it or
 * taking it out is exact and O(log n): no stale node is left behind, so nothing needs
 * sweeping and no finished delivery is held. (A lazy heap of everything left a node per
 * claim that a completion made stale, swept out with a Set, and moved some seventeen
 * nodes per claim from a burst of 100,000 deliveries.)
 * Every schedule takes a new serial, and equal keys come out in serial order, in the run
 * and the heap alike: the order is (key, last schedule), the same on every run.
 */
import { DueRun } from './due-run.js';
import type { OpenDelivery } from './delivery-record.js';

/** The open deliveries in claim order. */
export class DueQueue {
  readonly #keys: number[] = [];
  readonly #serials: number[] = [];
  readonly #items: OpenDelivery[] = [];
  readonly #run = new DueRun();
  #schedules = 0;

  /** Deliveries in the queue. */
  get size(): number {
    return this.#items.length + this.#run.size;
  }

  /** Nodes held, the run's holes included: what the queue's memory follows. */
  get nodes(): number {
    return this.#items.length + this.#run.nodes;
  }

  /** Puts `delivery` in the queue at its `claimableAt`, or moves it there. */
  schedule(delivery: OpenDelivery): void {
    const key = delivery.claimableAt;
    const slot = delivery.dueSlot;
    if (slot >= 0 ? this.#keys[slot] === key : delivery.runPos >= 0 && this.#run.keyOf(delivery) === key) return;
    const serial = ++this.#schedules;
    if (delivery.runPos >= 0) this.#run.remove(delivery);
    if (delivery.lease === undefined && this.#run.accepts(key)) {
      if (slot >= 0) this.#removeAt(slot);
      this.#run.push(delivery, key, serial);
    } else if (slot < 0) {
      this.#keys.push(key);
      this.#serials.push(serial);
      this.#items.push(delivery);
      delivery.dueSlot = this.#items.length - 1;
      this.#up(delivery.dueSlot);
    } else {
      this.#keys[slot] = key;
      this.#serials[slot] = serial;
      // A new serial is the latest: moved to a smaller key it may rise, to a larger it may sink.
      this.#up(slot);
      this.#down(delivery.dueSlot);
    }
  }

  /** Takes `delivery` out of the queue (it finished or left the store). */
  unschedule(delivery: OpenDelivery): void {
    if (delivery.dueSlot >= 0) this.#removeAt(delivery.dueSlot);
    else if (delivery.runPos >= 0) this.#run.remove(delivery);
  }

  /** The earliest time a queued delivery becomes claimable. */
  nextDueAt(): number | undefined {
    const heapKey = this.#keys[0];
    const runKey = this.#run.headKey;
    if (heapKey === undefined) return runKey;
    return runKey === undefined || heapKey < runKey ? heapKey : runKey;
  }

  /**
   * Takes the earliest delivery claimable at `now` out of the queue, or returns
   * `undefined`. The caller leases it and schedules it again.
   */
  takeDue(now: number): OpenDelivery | undefined {
    const heapKey = this.#keys[0];
    const runKey = this.#run.headKey;
    const fromRun = runKey !== undefined && (heapKey === undefined || runKey < heapKey || (runKey === heapKey && this.#run.headSerial < (this.#serials[0] as number)));
    if (fromRun) {
      if (runKey > now) return undefined;
      const delivery = this.#run.head as OpenDelivery;
      this.#run.remove(delivery);
      return delivery;
    }
    if (heapKey === undefined || heapKey > now) return undefined;
    const delivery = this.#items[0] as OpenDelivery;
    this.#removeAt(0);
    return delivery;
  }

  /** Every queued delivery, once each, in no particular order. */
  queued(): OpenDelivery[] {
    const found = [...this.#items];
    this.#run.pushTo(found);
    return found;
  }

  #removeAt(slot: number): void {
    const keys = this.#keys;
    const serials = this.#serials;
    const items = this.#items;
    (items[slot] as OpenDelivery).dueSlot = -1;
    const lastKey = keys.pop() as number;
    const lastSerial = serials.pop() as number;
    const last = items.pop() as OpenDelivery;
    if (slot === items.length) return;
    keys[slot] = lastKey;
    serials[slot] = lastSerial;
    items[slot] = last;
    last.dueSlot = slot;
    this.#up(slot);
    this.#down(last.dueSlot);
  }

  /** True when slot `a` comes out before slot `b`. */
  #before(a: number, b: number): boolean {
    const keyA = this.#keys[a] as number;
    const keyB = this.#keys[b] as number;
    return keyA < keyB || (keyA === keyB && (this.#serials[a] as number) < (this.#serials[b] as number));
  }

  #swap(a: number, b: number): void {
    const keys = this.#keys;
    const serials = this.#serials;
    const items = this.#items;
    const key = keys[a] as number;
    const serial = serials[a] as number;
    const item = items[a] as OpenDelivery;
    keys[a] = keys[b] as number;
    serials[a] = serials[b] as number;
    items[a] = items[b] as OpenDelivery;
    (items[a] as OpenDelivery).dueSlot = a;
    keys[b] = key;
    serials[b] = serial;
    items[b] = item;
    item.dueSlot = b;
  }

  #up(slot: number): void {
    while (slot > 0) {
      const parent = (slot - 1) >> 1;
      if (!this.#before(slot, parent)) return;
      this.#swap(slot, parent);
      slot = parent;
    }
  }

  #down(slot: number): void {
    const length = this.#keys.length;
    for (;;) {
      const left = 2 * slot + 1;
      if (left >= length) return;
      const child = left + 1 < length && this.#before(left + 1, left) ? left + 1 : left;
      if (!this.#before(child, slot)) return;
      this.#swap(slot, child);
      slot = child;
    }
  }
}
