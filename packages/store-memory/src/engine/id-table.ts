/**
 * A user's index of records by id (notifications, deliveries): an open-addressing table
 * with linear probing whose slots hold each record's 32-bit hash beside the record, in
 * one array. Why not a `Map`: a send adds fresh ids to indexes of 10⁵ entries, and V8's
 * `Map` finds that an id is absent by walking a bucket's chain, reading each entry and
 * each entry's key string, all in different places: about five cache misses, 0.8 µs on
 * this hardware, per id. Here the slots a look-up reads are next to each other, and a
 * stored key is read only when its hash matches: one miss, and the insert after the
 * check finds the slot already in the cache. Deterministic: the same operations in the
 * same order leave the same table (the hash has no random seed; the ids are the
 * service's, random themselves).
 */

/**
 * FNV-1a over the UTF-16 code units, two at a time (half the steps for a 36-character
 * GUID), then MurmurHash3's finalizer so every bit reaches the low ones the mask keeps;
 * never 0 (an empty slot).
 */
function hashOf(key: string): number {
  const length = key.length;
  let hash = 0x811c9dc5 ^ length;
  let index = 0;
  for (; index + 1 < length; index += 2) hash = Math.imul(hash ^ (key.charCodeAt(index) | (key.charCodeAt(index + 1) << 16)), 0x01000193);
  if (index < length) hash = Math.imul(hash ^ key.charCodeAt(index), 0x01000193);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash === 0 ? 1 : hash;
}

/** Empty slots, `capacity` of them: a hash of 0 (and 0 for the record, never read). */
function emptySlots(capacity: number): unknown[] {
  return new Array<unknown>(2 * capacity).fill(0);
}

const initialCapacity = 8;

/** Records of type `V` by the id `keyOf` reads from them. */
export class IdTable<V> {
  /** Slot `i` is `[2i]` the hash (0 when empty) and `[2i + 1]` the record. */
  #slots: unknown[] = emptySlots(initialCapacity);
  #mask = initialCapacity - 1;
  #size = 0;
  readonly #keyOf: (value: V) => string;
  /**
   * The key of the last {@link get} that found its record, and the record's slot, until
   * the table next changes: a completion reads a delivery, then puts its finished form
   * in its place, and need not hash and probe again.
   */
  #lastKey: string | undefined = undefined;
  #lastSlot = 0;

  constructor(keyOf: (value: V) => string) {
    this.#keyOf = keyOf;
  }

  /** How many records it holds. */
  get size(): number {
    return this.#size;
  }

  /** The slot holding `key`, or the empty slot where it would go (as `-1 - slot`). */
  #find(key: string, hash: number): number {
    const slots = this.#slots;
    const mask = this.#mask;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const held = slots[2 * slot] as number;
      if (held === 0) return -1 - slot;
      if (held === hash && this.#keyOf(slots[2 * slot + 1] as V) === key) return slot;
    }
  }

  /** The record with this id. */
  get(key: string): V | undefined {
    const slot = this.#find(key, hashOf(key));
    if (slot < 0) return undefined;
    this.#lastKey = key;
    this.#lastSlot = slot;
    return this.#slots[2 * slot + 1] as V;
  }

  /** True when it holds a record with this id. */
  has(key: string): boolean {
    return this.#find(key, hashOf(key)) >= 0;
  }

  /** Adds `value`, or puts it in the place of the record with the same id. */
  set(value: V): void {
    const key = this.#keyOf(value);
    if (key === this.#lastKey) {
      this.#slots[2 * this.#lastSlot + 1] = value;
      return;
    }
    const hash = hashOf(key);
    const slot = this.#find(key, hash);
    if (slot >= 0) {
      this.#slots[2 * slot + 1] = value;
      return;
    }
    this.#lastKey = undefined;
    const free = -1 - slot;
    this.#slots[2 * free] = hash;
    this.#slots[2 * free + 1] = value;
    this.#size += 1;
    // At most five eighths full: a probe for an absent id then reads about three slots.
    if (this.#size * 8 > (this.#mask + 1) * 5) this.#resize((this.#mask + 1) * 2);
  }

  /** Removes the record with this id; true when there was one. */
  delete(key: string): boolean {
    let slot = this.#find(key, hashOf(key));
    if (slot < 0) return false;
    this.#lastKey = undefined;
    const slots = this.#slots;
    const mask = this.#mask;
    // Backward shift: each later record of the run moves into the hole unless its home
    // slot lies after the hole, so every record stays reachable from its home.
    for (let next = (slot + 1) & mask; ; next = (next + 1) & mask) {
      const hash = slots[2 * next] as number;
      if (hash === 0) break;
      const home = hash & mask;
      const staysPut = slot <= next ? slot < home && home <= next : slot < home || home <= next;
      if (staysPut) continue;
      slots[2 * slot] = hash;
      slots[2 * slot + 1] = slots[2 * next + 1];
      slot = next;
    }
    slots[2 * slot] = 0;
    slots[2 * slot + 1] = 0;
    this.#size -= 1;
    // Memory follows what is held: an eighth full, it halves (never below the initial size).
    const capacity = mask + 1;
    if (capacity > initialCapacity && this.#size * 8 < capacity) this.#resize(capacity / 2);
    return true;
  }

  /** Every record, in slot order (no meaning: callers treat it as a set). */
  values(): V[] {
    const values: V[] = [];
    const slots = this.#slots;
    for (let index = 0; index < slots.length; index += 2) if (slots[index] !== 0) values.push(slots[index + 1] as V);
    return values;
  }

  #resize(capacity: number): void {
    const old = this.#slots;
    const slots = emptySlots(capacity);
    const mask = capacity - 1;
    for (let index = 0; index < old.length; index += 2) {
      const hash = old[index] as number;
      if (hash === 0) continue;
      let slot = hash & mask;
      while (slots[2 * slot] !== 0) slot = (slot + 1) & mask;
      slots[2 * slot] = hash;
      slots[2 * slot + 1] = old[index + 1];
    }
    this.#slots = slots;
    this.#mask = mask;
  }
}
