/**
 * An indexed min-heap of things that expire, keyed by expiry time. Each item records its
 * own slot (`expirySlot`), so removing or re-keying one is O(log n) and exact: expiry
 * drives counts (unread notifications that expired must stop counting), and a lazy
 * heap's stale duplicates would be counted twice.
 */

/** Something an {@link ExpiryHeap} holds: it remembers where, `-1` when outside. */
export interface Expiring {
  /** Its slot in the heap, or -1. */
  expirySlot: number;
}

/** An indexed min-heap of {@link Expiring} items. */
export class ExpiryHeap<T extends Expiring> {
  readonly #keys: number[] = [];
  readonly #items: T[] = [];

  /** Items in the heap. */
  get size(): number {
    return this.#items.length;
  }

  /** The earliest expiry, or `undefined` when empty. */
  earliestKey(): number | undefined {
    return this.#keys[0];
  }

  /** The item that expires first, or `undefined` when empty. */
  earliest(): T | undefined {
    return this.#items[0];
  }

  /** Adds `item` with expiry `key`, or moves it to `key` when it is already in. */
  set(item: T, key: number): void {
    if (item.expirySlot < 0) {
      this.#keys.push(key);
      this.#items.push(item);
      item.expirySlot = this.#items.length - 1;
      this.#up(item.expirySlot);
      return;
    }
    const slot = item.expirySlot;
    const previous = this.#keys[slot] as number;
    if (key === previous) return; // most saves leave a user's earliest expiry as it was
    this.#keys[slot] = key;
    if (key < previous) this.#up(slot);
    else this.#down(slot);
  }

  /** Removes `item`; does nothing when it is not in. */
  delete(item: T): void {
    const slot = item.expirySlot;
    if (slot < 0) return;
    item.expirySlot = -1;
    const lastKey = this.#keys.pop() as number;
    const lastItem = this.#items.pop() as T;
    if (slot === this.#items.length) return;
    const previous = this.#keys[slot] as number;
    this.#keys[slot] = lastKey;
    this.#items[slot] = lastItem;
    lastItem.expirySlot = slot;
    if (lastKey < previous) this.#up(slot);
    else this.#down(slot);
  }

  /**
   * Calls `visit` for every item expiring at or before `time`, in no particular order,
   * skipping whole subtrees that expire later: the cost follows the number of such items.
   */
  visitExpiredBy(time: number, visit: (item: T) => void): void {
    const keys = this.#keys;
    if (keys.length === 0 || (keys[0] as number) > time) return;
    const stack = [0];
    while (stack.length > 0) {
      const slot = stack.pop() as number;
      visit(this.#items[slot] as T);
      const left = 2 * slot + 1;
      if (left < keys.length && (keys[left] as number) <= time) stack.push(left);
      if (left + 1 < keys.length && (keys[left + 1] as number) <= time) stack.push(left + 1);
    }
  }

  #up(slot: number): void {
    const keys = this.#keys;
    const items = this.#items;
    const key = keys[slot] as number;
    const item = items[slot] as T;
    while (slot > 0) {
      const parent = (slot - 1) >> 1;
      const parentKey = keys[parent] as number;
      if (parentKey <= key) break;
      const parentItem = items[parent] as T;
      keys[slot] = parentKey;
      items[slot] = parentItem;
      parentItem.expirySlot = slot;
      slot = parent;
    }
    keys[slot] = key;
    items[slot] = item;
    item.expirySlot = slot;
  }

  #down(slot: number): void {
    const keys = this.#keys;
    const items = this.#items;
    const length = keys.length;
    const key = keys[slot] as number;
    const item = items[slot] as T;
    for (;;) {
      const left = 2 * slot + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && (keys[right] as number) < (keys[left] as number) ? right : left;
      const childKey = keys[child] as number;
      if (childKey >= key) break;
      const childItem = items[child] as T;
      keys[slot] = childKey;
      items[slot] = childItem;
      childItem.expirySlot = slot;
      slot = child;
    }
    keys[slot] = key;
    items[slot] = item;
    item.expirySlot = slot;
  }
}
