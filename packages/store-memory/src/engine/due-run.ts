/**
 * A run of the due queue: open deliveries scheduled in the order of their keys, as sends
 * due now arrive one after the other. A queue, so joining its end and leaving its head
 * are O(1) and touch no other delivery, where a heap of a burst's 100,000 deliveries
 * moves some seventeen of them per claim. A delivery records its position (`runPos`,
 * absolute, so trimming the front moves nobody); one that leaves from the middle leaves
 * a hole, skipped at the head and compacted away once holes outnumber the live.
 */
import type { OpenDelivery } from './delivery-record.js';

const minHolesBeforeCompaction = 1024;

/** Deliveries whose keys never decrease from head to end, nor their serials. */
export class DueRun {
  #items: (OpenDelivery | undefined)[] = [];
  #keys: number[] = [];
  #serials: number[] = [];
  /** The absolute position of index 0. */
  #base = 0;
  /** The index of the head: the first live delivery, when there is one. */
  #head = 0;
  #live = 0;
  /** The key of the last delivery that joined: no later one may have a smaller key. */
  #lastKey = Number.NEGATIVE_INFINITY;

  /** Deliveries in the run. */
  get size(): number {
    return this.#live;
  }

  /** Slots held, holes included: what the run's memory follows. */
  get nodes(): number {
    return this.#items.length - this.#head;
  }

  /** True when a delivery with `key` may join the end. */
  accepts(key: number): boolean {
    return key >= this.#lastKey;
  }

  /** The key of `delivery`, which is in the run. */
  keyOf(delivery: OpenDelivery): number {
    return this.#keys[delivery.runPos - this.#base] as number;
  }

  /** Adds `delivery` at the end (check {@link accepts} first). */
  push(delivery: OpenDelivery, key: number, serial: number): void {
    delivery.runPos = this.#base + this.#items.length;
    this.#items.push(delivery);
    this.#keys.push(key);
    this.#serials.push(serial);
    this.#lastKey = key;
    this.#live++;
  }

  /** The head's key, serial and delivery (`undefined` when empty). */
  get headKey(): number | undefined {
    return this.#live === 0 ? undefined : this.#keys[this.#head];
  }

  get headSerial(): number {
    return this.#serials[this.#head] as number;
  }

  get head(): OpenDelivery | undefined {
    return this.#live === 0 ? undefined : this.#items[this.#head];
  }

  /** Takes `delivery` out of the run. */
  remove(delivery: OpenDelivery): void {
    this.#items[delivery.runPos - this.#base] = undefined;
    delivery.runPos = -1;
    this.#live--;
    if (this.#live === 0) return this.#reset();
    while (this.#items[this.#head] === undefined) this.#head++;
    while (this.#items[this.#items.length - 1] === undefined) {
      this.#items.pop();
      this.#keys.pop();
      this.#serials.pop();
    }
    this.#trim();
  }

  /** Every delivery in the run. */
  pushTo(found: OpenDelivery[]): void {
    for (let index = this.#head; index < this.#items.length; index++) {
      const delivery = this.#items[index];
      if (delivery !== undefined) found.push(delivery);
    }
  }

  #reset(): void {
    this.#items = [];
    this.#keys = [];
    this.#serials = [];
    this.#base = 0;
    this.#head = 0;
    this.#lastKey = Number.NEGATIVE_INFINITY;
  }

  /** Drops the front once it is most of the arrays; compacts the holes once they outnumber the live. */
  #trim(): void {
    const holes = this.#items.length - this.#head - this.#live;
    if (holes >= minHolesBeforeCompaction && holes > this.#live) {
      const items: OpenDelivery[] = [];
      const keys: number[] = [];
      const serials: number[] = [];
      for (let index = this.#head; index < this.#items.length; index++) {
        const delivery = this.#items[index];
        if (delivery === undefined) continue;
        delivery.runPos = items.length;
        items.push(delivery);
        keys.push(this.#keys[index] as number);
        serials.push(this.#serials[index] as number);
      }
      this.#items = items;
      this.#keys = keys;
      this.#serials = serials;
      this.#base = 0;
      this.#head = 0;
      return;
    }
    if (this.#head >= minHolesBeforeCompaction && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#keys = this.#keys.slice(this.#head);
      this.#serials = this.#serials.slice(this.#head);
      this.#base += this.#head;
      this.#head = 0;
    }
  }
}
