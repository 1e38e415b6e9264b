/**
 * The open deliveries, by when each becomes claimable: an indexed min-heap. A claim pops
 * the earliest, so claiming is O(log n) per delivery however many wait.
 *
 * Each delivery records its own slot (`dueSlot`), so moving it (a claim's lease, a failed
 * attempt's retry time) or taking it out (finished, deleted) is exact and O(log n): no
 * stale node is left behind, so the queue never needs sweeping and holds no finished
 * delivery. (A lazy heap left a node per claim that a completion made stale, and swept
 * them out with a Set: most of what the queue cost per delivery.)
 * Equal keys come out in the order they were scheduled there (each node carries a serial
 * of its last schedule), so ties are fair and the order is the same on every run.
 */
import type { OpenDelivery } from './delivery-record.js';

/** The open deliveries in claim order. */
export class DueQueue {
  readonly #keys: number[] = [];
  readonly #serials: number[] = [];
  readonly #items: OpenDelivery[] = [];
  #schedules = 0;

  /** Deliveries in the queue. */
  get size(): number {
    return this.#items.length;
  }

  /** Heap nodes: one per queued delivery (what the queue's memory follows). */
  get nodes(): number {
    return this.#items.length;
  }

  /** Puts `delivery` in the queue at its `claimableAt`, or moves it there. */
  schedule(delivery: OpenDelivery): void {
    const key = delivery.claimableAt;
    const slot = delivery.dueSlot;
    if (slot < 0) {
      this.#keys.push(key);
      this.#serials.push(++this.#schedules);
      this.#items.push(delivery);
      delivery.dueSlot = this.#items.length - 1;
      this.#up(delivery.dueSlot);
      return;
    }
    if (this.#keys[slot] === key) return;
    this.#keys[slot] = key;
    this.#serials[slot] = ++this.#schedules;
    // A new serial is the latest: moved to a smaller key it may rise, to a larger it may sink.
    this.#up(slot);
    this.#down(delivery.dueSlot);
  }

  /** Takes `delivery` out of the queue (it finished or left the store). */
  unschedule(delivery: OpenDelivery): void {
    const slot = delivery.dueSlot;
    if (slot < 0) return;
    this.#removeAt(slot);
  }

  /** The earliest time a queued delivery becomes claimable. */
  nextDueAt(): number | undefined {
    return this.#keys[0];
  }

  /**
   * Takes the earliest delivery claimable at `now` out of the queue, or returns
   * `undefined`. The caller leases it and schedules it again.
   */
  takeDue(now: number): OpenDelivery | undefined {
    const key = this.#keys[0];
    if (key === undefined || key > now) return undefined;
    const delivery = this.#items[0] as OpenDelivery;
    this.#removeAt(0);
    return delivery;
  }

  /** Every queued delivery, once each, in no particular order. */
  queued(): OpenDelivery[] {
    return [...this.#items];
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
